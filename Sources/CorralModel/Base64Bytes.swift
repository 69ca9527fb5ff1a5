import Foundation

/// A proto `bytes` field: raw bytes in Swift, a base64 string in Mesos's JSON mapping.
///
/// Use it as `@Base64Bytes public var data: [UInt8]?`. An absent key decodes to `nil`
/// and `nil` is not written, like any other optional field.
@propertyWrapper
public struct Base64Bytes: Codable, Hashable, Sendable {
    /// The raw bytes, or `nil` when the field is unset.
    public var wrappedValue: [UInt8]?

    /// Wraps raw bytes.
    public init(wrappedValue: [UInt8]?) { self.wrappedValue = wrappedValue }

    /// Decodes a base64 string; anything else is a typed error that names the problem.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            wrappedValue = nil
            return
        }
        let text = try container.decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription:
                    "\(ModelError(.invalidBase64, "a bytes field is not base64: \"\(text.prefix(40))\""))"
            )
        }
        wrappedValue = [UInt8](data)
    }

    /// Encodes the bytes as a base64 string (standard alphabet, padded, as Mesos writes them).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(Data(wrappedValue).base64EncodedString())
        } else {
            try container.encodeNil()
        }
    }
}

extension KeyedDecodingContainer {
    /// An absent `bytes` field is `nil`, not an error.
    func decode(_ type: Base64Bytes.Type, forKey key: Key) throws -> Base64Bytes {
        try decodeIfPresent(type, forKey: key) ?? Base64Bytes(wrappedValue: nil)
    }
}

extension KeyedEncodingContainer {
    /// An unset `bytes` field is left out, not written as `null`.
    mutating func encode(_ value: Base64Bytes, forKey key: Key) throws {
        guard value.wrappedValue != nil else { return }
        try encodeIfPresent(value, forKey: key)
    }
}
