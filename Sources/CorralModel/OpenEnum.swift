/// A Mesos proto enum carried by its proto name, open to names this build does not know.
///
/// Mesos's JSON mapping writes enums as their proto names (`"TASK_RUNNING"`). Conforming
/// types are structs over that name rather than Swift enums, so a value added by a newer
/// Mesos or client decodes, compares and round-trips instead of failing the whole message.
/// `Codable` comes from the standard library's `RawRepresentable` support: a bare string.
public protocol OpenEnum: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
where RawValue == String {
    /// Every name this build knows, in proto order.
    static var known: [Self] { get }
    /// Wraps a proto name, known or not.
    init(rawValue: String)
}

extension OpenEnum {
    /// Wraps a proto name given as a literal.
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// Whether this build knows the name.
    public var isKnown: Bool { Self.known.contains(self) }

    /// The proto name.
    public var description: String { rawValue }
}
