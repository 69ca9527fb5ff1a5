import Foundation

/// JSON encoding and decoding of OCI documents with errors that name the document.
enum JSONCoding {
    /// Encodes `value` with sorted keys and unescaped slashes, as OCI tools write it.
    static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty
            ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw ContainerError(.io, "could not encode \(T.self) as JSON", cause: String(describing: error))
        }
    }

    /// Decodes `what` (named in errors) from `bytes`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as ContainerError {
            throw error
        } catch {
            throw ContainerError(
                .malformed,
                "\(what) is not valid JSON for \(T.self)",
                cause: String(describing: error)
            )
        }
    }
}
