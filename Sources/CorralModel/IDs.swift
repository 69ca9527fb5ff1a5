/// A Mesos identifier: `{"value": "..."}` in JSON.
public protocol MesosID: Codable, Hashable, Sendable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The identifier's text.
    var value: String { get }
    /// Wraps an identifier's text.
    init(_ value: String)
}

extension MesosID {
    /// Wraps an identifier given as a literal.
    public init(stringLiteral value: String) { self.init(value) }
    /// The identifier's text.
    public var description: String { value }
    /// Orders by text, so listings are stable.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// Names a framework (a scheduler and its tasks) for its whole life, across fail-overs.
public struct FrameworkID: MesosID {
    /// The identifier's text.
    public var value: String
    /// Wraps an identifier's text.
    public init(_ value: String) { self.value = value }
}

/// Names an agent (one node's registration with the masters).
public struct AgentID: MesosID {
    /// The identifier's text.
    public var value: String
    /// Wraps an identifier's text.
    public init(_ value: String) { self.value = value }
}

/// Names one offer of one agent's resources to one framework.
public struct OfferID: MesosID {
    /// The identifier's text.
    public var value: String
    /// Wraps an identifier's text.
    public init(_ value: String) { self.value = value }
}

/// Names a task, unique within its framework.
public struct TaskID: MesosID {
    /// The identifier's text.
    public var value: String
    /// Wraps an identifier's text.
    public init(_ value: String) { self.value = value }
}

/// Names an executor, unique within its framework.
public struct ExecutorID: MesosID {
    /// The identifier's text.
    public var value: String
    /// Wraps an identifier's text.
    public init(_ value: String) { self.value = value }
}

/// Names an offer operation (RESERVE, CREATE, …) when the framework wants feedback on it.
public struct OperationID: MesosID {
    /// The identifier's text.
    public var value: String
    /// Wraps an identifier's text.
    public init(_ value: String) { self.value = value }
}

/// Names a resource provider (e.g. a CSI plugin) that contributes resources to an agent.
public struct ResourceProviderID: MesosID {
    /// The identifier's text.
    public var value: String
    /// Wraps an identifier's text.
    public init(_ value: String) { self.value = value }
}

/// Names a container; a nested container names its parent (`{"value", "parent"}`).
public struct ContainerID: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The identifier's text.
    public var value: String
    /// The enclosing container of a nested container.
    public var parent: Box<ContainerID>?

    /// Wraps an identifier's text, optionally inside a parent container.
    public init(_ value: String, parent: ContainerID? = nil) {
        self.value = value
        self.parent = parent.map(Box.init)
    }

    /// `parent.child`, as Mesos prints nested container IDs.
    public var description: String {
        guard let parent else { return value }
        return "\(parent.value.description).\(value)"
    }
}

/// A heap box that lets a value type contain itself (e.g. a container's parent); codes as
/// the boxed value.
public final class Box<Wrapped: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
    /// The boxed value.
    public let value: Wrapped
    /// Boxes a value.
    public init(_ value: Wrapped) { self.value = value }
    /// Decodes the boxed value in place.
    public init(from decoder: any Decoder) throws { value = try Wrapped(from: decoder) }
    /// Encodes the boxed value in place.
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    /// Compares the boxed values.
    public static func == (lhs: Box, rhs: Box) -> Bool { lhs.value == rhs.value }
    /// Hashes the boxed value.
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
