import Foundation

/// JSON in and out with Mesos's conventions, and decoding errors turned into `ModelError`.
public enum MesosJSON {
    /// Decodes a value, reporting a mismatch as `ModelError` `.invalidJSON` with the path
    /// to the field that was wrong.
    public static func decode<T: Decodable>(_ type: T.Type, from data: some Collection<UInt8>)
        throws(ModelError) -> T
    {
        do {
            return try JSONBytesDecoder.decode(type, from: Array(data))
        } catch let error as DecodingError {
            throw ModelError(.invalidJSON, "cannot decode \(T.self): \(describe(error))", cause: "\(error)")
        } catch {
            throw ModelError(.invalidJSON, "cannot decode \(T.self)", cause: "\(error)")
        }
    }

    /// Encodes a value as compact JSON (with `StreamingJSONEncoder`).
    public static func encode<T: Encodable>(_ value: T) throws(ModelError) -> [UInt8] {
        do {
            return try StreamingJSONEncoder.encode(value)
        } catch {
            throw ModelError(.invalidJSON, "cannot encode \(T.self)", cause: "\(error)")
        }
    }

    /// `<path>: <what was wrong>` for a decoding error.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.isEmpty ? "<root>" : String(text.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required field is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
