/// A proto `repeated` field: an array in Swift that Mesos's JSON mapping leaves out when empty.
///
/// Use it as `@Repeated public var resources: [Resource]`. An absent key decodes to `[]`
/// and an empty array is not written, so messages from Mesos (which omits empty repeated
/// fields) decode, and ours look like Mesos's.
@propertyWrapper
public struct Repeated<Element: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
    /// The elements, in order.
    public var wrappedValue: [Element]

    /// Wraps an array.
    public init(wrappedValue: [Element]) { self.wrappedValue = wrappedValue }

    /// Decodes a JSON array.
    public init(from decoder: any Decoder) throws {
        wrappedValue = try [Element](from: decoder)
    }

    /// Encodes a JSON array.
    public func encode(to encoder: any Encoder) throws {
        try wrappedValue.encode(to: encoder)
    }
}

extension KeyedDecodingContainer {
    /// An absent repeated field is empty, not an error.
    func decode<Element>(_ type: Repeated<Element>.Type, forKey key: Key) throws -> Repeated<Element> {
        try decodeIfPresent(type, forKey: key) ?? Repeated(wrappedValue: [])
    }
}

extension KeyedEncodingContainer {
    /// An empty repeated field is left out.
    mutating func encode<Element>(_ value: Repeated<Element>, forKey key: Key) throws {
        guard !value.wrappedValue.isEmpty else { return }
        try encode(value.wrappedValue, forKey: key)
    }
}
