/// What an agent POSTs to the leading master's `/corral/v1/agent` (protocol version 1; see
/// `Sources/CorralMaster/README.md`). SUBSCRIBE opens the event stream; every other call
/// carries the stream's `Corral-Agent-Stream-Id` header.
public struct AgentCall: Codable, Hashable, Sendable {
    /// Which call; the matching payload is set.
    public var type: Kind
    /// The caller; absent only on an agent's first SUBSCRIBE.
    public var agentID: AgentID?
    @Boxed public var subscribe: Subscribe?
    @Boxed public var update: TaskReport?
    @Boxed public var updateResources: UpdateResources?
    /// MESSAGE: bytes from an executor to its framework's scheduler.
    @Boxed public var message: FrameworkMessage?
    /// EXITED_EXECUTOR: a custom executor's container exited.
    @Boxed public var exitedExecutor: ExitedExecutor?

    enum CodingKeys: String, CodingKey {
        case type
        case agentID = "agent_id"
        case subscribe, update
        case updateResources = "update_resources"
        case message
        case exitedExecutor = "exited_executor"
    }

    public init(type: Kind, agentID: AgentID? = nil) {
        self.type = type
        self.agentID = agentID
    }

    /// SUBSCRIBE: register (no ID yet) or re-register (with the ID the master gave).
    public struct Subscribe: Codable, Hashable, Sendable {
        /// The agent's hostname, resources and attributes; `id` set when re-registering.
        public var agentInfo: AgentInfo
        /// Every task the agent still knows: running, or ended with updates the master has
        /// not acknowledged yet.
        public var tasks: [TaskReport]
        /// The highest leader term the agent has seen; events from older terms are ignored.
        public var highestTerm: UInt64
        /// The protocol version the agent speaks.
        public var version: Int

        enum CodingKeys: String, CodingKey {
            case agentInfo = "agent_info"
            case tasks
            case highestTerm = "highest_term"
            case version
        }

        public init(agentInfo: AgentInfo, tasks: [TaskReport] = [], highestTerm: UInt64 = 0, version: Int = 1) {
            self.agentInfo = agentInfo
            self.tasks = tasks
            self.highestTerm = highestTerm
            self.version = version
        }
    }

    /// A task's status and the framework it belongs to: the payload of UPDATE (a status
    /// update with a UUID, answered 202 once committed; the agent keeps it, checkpointed, and
    /// sends it again until then), and what SUBSCRIBE reports of each task the agent knows.
    public struct TaskReport: Codable, Hashable, Sendable {
        public var frameworkID: FrameworkID
        public var status: TaskStatus

        enum CodingKeys: String, CodingKey {
            case frameworkID = "framework_id"
            case status
        }

        public init(frameworkID: FrameworkID, status: TaskStatus) {
            self.frameworkID = frameworkID
            self.status = status
        }
    }

    /// A message between a framework's scheduler and one of its executors (delivered at most
    /// once, as in Mesos): the payload of MESSAGE both ways.
    public struct FrameworkMessage: Codable, Hashable, Sendable {
        public var frameworkID: FrameworkID
        public var executorID: ExecutorID
        @Base64Bytes public var data: [UInt8]?

        enum CodingKeys: String, CodingKey {
            case frameworkID = "framework_id"
            case executorID = "executor_id"
            case data
        }

        public init(frameworkID: FrameworkID, executorID: ExecutorID, data: [UInt8]) {
            self.frameworkID = frameworkID
            self.executorID = executorID
            self.data = data
        }
    }

    /// EXITED_EXECUTOR: an executor's container exited with `status` (its wait status; -1 when
    /// unknown, e.g. it never started); the master passes it to the scheduler as a FAILURE event (at most once, as
    /// Mesos's `ExitedExecutorMessage`).
    public struct ExitedExecutor: Codable, Hashable, Sendable {
        public var frameworkID: FrameworkID
        public var executorID: ExecutorID
        public var status: Int32?

        enum CodingKeys: String, CodingKey {
            case frameworkID = "framework_id"
            case executorID = "executor_id"
            case status
        }

        public init(frameworkID: FrameworkID, executorID: ExecutorID, status: Int32?) {
            self.frameworkID = frameworkID
            self.executorID = executorID
            self.status = status
        }
    }

    /// UPDATE_RESOURCES: the agent's total changed.
    public struct UpdateResources: Codable, Hashable, Sendable {
        @Repeated public var resources: [Resource]

        public init(resources: [Resource]) { self.resources = resources }
    }

    /// `AgentCall.Type`.
    public struct Kind: OpenEnum {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let subscribe: Kind = "SUBSCRIBE"
        public static let update: Kind = "UPDATE"
        /// Liveness: an agent that sends nothing for the master's timeout is unreachable.
        public static let heartbeat: Kind = "HEARTBEAT"
        public static let updateResources: Kind = "UPDATE_RESOURCES"
        /// An executor's message for its scheduler.
        public static let message: Kind = "MESSAGE"
        /// A custom executor exited.
        public static let exitedExecutor: Kind = "EXITED_EXECUTOR"
        public static let known: [Kind] = [.subscribe, .update, .heartbeat, .updateResources, .message, .exitedExecutor]
    }
}
