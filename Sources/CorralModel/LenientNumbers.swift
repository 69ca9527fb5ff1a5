extension KeyedDecodingContainer {
    /// Decodes a 64-bit integer written as a JSON number (as Mesos writes them) or as a
    /// decimal string (as proto3's canonical JSON mapping writes them, and as Mesos's parser
    /// accepts: `stout/protobuf.hpp`).
    func decodeInteger<Integer: FixedWidthInteger & Decodable>(
        _ type: Integer.Type,
        forKey key: Key
    ) throws -> Integer {
        if let number = try? decode(Integer.self, forKey: key) { return number }
        let text = try decode(String.self, forKey: key)
        guard let number = Integer(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: self,
                debugDescription:
                    "\"\(text.prefix(40))\" is not an integer in \(Integer.min)...\(Integer.max)"
            )
        }
        return number
    }
}

/// A number of seconds in a config file, written either as an integer (`5`) or a float (`0.5`).
public struct ConfigSeconds: Decodable, Sendable, Hashable {
    public var value: Double

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let double = try? container.decode(Double.self) {
            value = double
        } else {
            value = Double(try container.decode(Int.self))
        }
    }
}
