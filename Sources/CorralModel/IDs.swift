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
    /// Whether the ID can name a directory (an agent's sandbox): not empty, `.` or `..`, and
    /// without `/` or NUL. Mesos refuses the others too.
    public var namesADirectory: Bool {
        !(value.isEmpty || value == "." || value == ".." || value.contains("/") || value.contains("\0"))
    }
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
    /// The parent behind a reference, since a struct cannot contain itself.
    private var parentStorage: ParentStorage?

    /// The enclosing container of a nested container.
    public var parent: ContainerID? {
        get { parentStorage?.id }
        set { parentStorage = newValue.map(ParentStorage.init) }
    }

    /// Wraps an identifier's text, optionally inside a parent container.
    public init(_ value: String, parent: ContainerID? = nil) {
        self.value = value
        self.parent = parent
    }

    enum CodingKeys: String, CodingKey { case value, parent }

    /// Decodes `{"value", "parent"?}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = try container.decode(String.self, forKey: .value)
        parent = try container.decodeIfPresent(ContainerID.self, forKey: .parent)
    }

    /// Encodes `{"value", "parent"?}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encodeIfPresent(parent, forKey: .parent)
    }

    /// Compares the text and the chain of parents.
    public static func == (lhs: ContainerID, rhs: ContainerID) -> Bool {
        lhs.value == rhs.value && lhs.parent == rhs.parent
    }

    /// Hashes the text and the chain of parents.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        hasher.combine(parent)
    }

    /// `parent.child`, as Mesos prints nested container IDs.
    public var description: String {
        guard let parent else { return value }
        return "\(parent.description).\(value)"
    }

    /// An immutable reference to a parent ID; safe to share across threads.
    private final class ParentStorage: Sendable {
        let id: ContainerID
        init(_ id: ContainerID) { self.id = id }
    }
}
