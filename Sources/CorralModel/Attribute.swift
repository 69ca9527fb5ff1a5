/// `Attribute`: a named property of an agent (`rack:r1`, `zone:a`), offered with its resources.
public struct Attribute: Codable, Hashable, Sendable {
    /// The name.
    public var name: String
    /// Which payload is used: `SCALAR`, `RANGES`, `SET` or `TEXT`.
    public var type: Value.ValueType
    /// The payload of a `SCALAR`.
    public var scalar: Scalar?
    /// The payload of `RANGES`.
    public var ranges: Ranges?
    /// The payload of a `SET`.
    public var set: Value.ValueSet?
    /// The payload of `TEXT`.
    public var text: Value.Text?

    /// Makes an attribute; set the payload that matches `type`.
    public init(
        name: String,
        type: Value.ValueType,
        scalar: Scalar? = nil,
        ranges: Ranges? = nil,
        set: Value.ValueSet? = nil,
        text: Value.Text? = nil
    ) {
        self.name = name
        self.type = type
        self.scalar = scalar
        self.ranges = ranges
        self.set = set
        self.text = text
    }

    /// A text attribute, e.g. `.text("rack", "r1")`.
    public static func text(_ name: String, _ value: String) -> Attribute {
        Attribute(name: name, type: .text, text: Value.Text(value))
    }

    /// A scalar attribute.
    public static func scalar(_ name: String, _ value: Scalar) -> Attribute {
        Attribute(name: name, type: .scalar, scalar: value)
    }
}
