/// `ExecutorInfo`: the process that runs a framework's tasks on an agent.
public struct ExecutorInfo: Codable, Hashable, Sendable {
    /// `DEFAULT` (Mesos's own) or `CUSTOM`.
    public var type: Kind?
    /// The framework's ID for the executor.
    public var executorID: ExecutorID
    /// The framework (set by the master).
    public var frameworkID: FrameworkID?
    /// The command that starts a custom executor.
    public var command: CommandInfo?
    /// How to containerize it.
    public var container: ContainerInfo?
    /// The resources the executor itself uses.
    @Repeated public var resources: [Resource]
    /// A human-readable name.
    public var name: String?
    /// Opaque bytes (base64 in JSON).
    @Base64Bytes public var data: [UInt8]?
    /// Service discovery.
    public var discovery: DiscoveryInfo?
    /// How long it may take to shut down.
    public var shutdownGracePeriod: DurationInfo?
    /// Labels.
    public var labels: Labels?

    enum CodingKeys: String, CodingKey {
        case type
        case executorID = "executor_id"
        case frameworkID = "framework_id"
        case command, container, resources, name, data, discovery
        case shutdownGracePeriod = "shutdown_grace_period"
        case labels
    }

    /// Makes an executor.
    public init(
        executorID: ExecutorID,
        type: Kind? = nil,
        frameworkID: FrameworkID? = nil,
        command: CommandInfo? = nil,
        container: ContainerInfo? = nil,
        resources: [Resource] = [],
        name: String? = nil,
        data: [UInt8]? = nil
    ) {
        self.executorID = executorID
        self.type = type
        self.frameworkID = frameworkID
        self.command = command
        self.container = container
        self.resources = resources
        self.name = name
        self.data = data
    }

    /// `ExecutorInfo.Type`.
    public struct Kind: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Unset.
        public static let unknown: Kind = "UNKNOWN"
        /// The built-in executor (for task groups).
        public static let `default`: Kind = "DEFAULT"
        /// A framework's own executor.
        public static let custom: Kind = "CUSTOM"
        /// Every name this build knows.
        public static let known: [Kind] = [.unknown, .default, .custom]
    }
}
