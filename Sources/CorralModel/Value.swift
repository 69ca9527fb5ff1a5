/// Mesos's `Value`: the payload of resources and attributes (a scalar, ranges, a set or text).
public struct Value: Codable, Hashable, Sendable {
    /// Which of the payloads is used.
    public var type: ValueType
    /// The payload of a `SCALAR`.
    public var scalar: Scalar?
    /// The payload of `RANGES`.
    public var ranges: Ranges?
    /// The payload of a `SET`.
    public var set: ValueSet?
    /// The payload of `TEXT`.
    public var text: Text?

    /// Makes a value; set the payload that matches `type`.
    public init(
        type: ValueType,
        scalar: Scalar? = nil,
        ranges: Ranges? = nil,
        set: ValueSet? = nil,
        text: Text? = nil
    ) {
        self.type = type
        self.scalar = scalar
        self.ranges = ranges
        self.set = set
        self.text = text
    }

    /// `Value.Type`: `SCALAR`, `RANGES`, `SET` or `TEXT`.
    public struct ValueType: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A number with three decimal digits kept (cpus, mem, disk, gpus).
        public static let scalar: ValueType = "SCALAR"
        /// Inclusive integer ranges (ports).
        public static let ranges: ValueType = "RANGES"
        /// A set of strings.
        public static let set: ValueType = "SET"
        /// Text (attributes only).
        public static let text: ValueType = "TEXT"
        /// Every name this build knows.
        public static let known: [ValueType] = [.scalar, .ranges, .set, .text]
    }

    /// `{"value": "..."}`: a text attribute.
    public struct Text: Codable, Hashable, Sendable {
        /// The text.
        public var value: String
        /// Wraps text.
        public init(_ value: String) { self.value = value }
    }

    /// `{"item": [...]}`: a set of strings, kept in the order given.
    public struct ValueSet: Codable, Hashable, Sendable {
        /// The items.
        @Repeated public var item: [String]
        /// Wraps items.
        public init(_ item: [String] = []) { self.item = item }
    }
}
