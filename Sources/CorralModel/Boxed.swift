/// An optional message field kept behind one shared reference, for large messages that are
/// usually absent (a resource's `disk`, a task's `executor` or `container`): the record that
/// holds it stays small, so copying it (in every collection, change and event) is cheap. It
/// reads, compares, hashes and encodes as the optional it holds. The box is immutable: a set
/// makes a new one, so sharing it between copies and threads is safe.
@propertyWrapper
public struct Boxed<Value: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box?

    /// Holds nothing: an absent field.
    public init() { box = nil }

    /// Holds `wrappedValue`, if any.
    public init(wrappedValue: Value?) { box = wrappedValue.map(Box.init) }

    /// The field's value.
    public var wrappedValue: Value? {
        get { box?.value }
        set { box = newValue.map(Box.init) }
    }

    /// Decodes the message itself (a null or absent field never gets here; see below).
    public init(from decoder: any Decoder) throws { box = Box(try Value(from: decoder)) }

    /// Encodes the message itself, or nothing when absent.
    public func encode(to encoder: any Encoder) throws { try box?.value.encode(to: encoder) }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.box === rhs.box || lhs.wrappedValue == rhs.wrappedValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(wrappedValue) }
}

extension KeyedDecodingContainer {
    /// An absent or null boxed field is nil, as an optional's would be.
    func decode<Value>(_ type: Boxed<Value>.Type, forKey key: Key) throws -> Boxed<Value> {
        Boxed(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }
}

extension KeyedEncodingContainer {
    /// An absent boxed field is left out, as an optional's would be.
    mutating func encode<Value>(_ value: Boxed<Value>, forKey key: Key) throws {
        try encodeIfPresent(value.wrappedValue, forKey: key)
    }
}
