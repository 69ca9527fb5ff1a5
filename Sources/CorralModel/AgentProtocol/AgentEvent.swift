/// What the leading master sends an agent on its SUBSCRIBE stream, RecordIO-framed JSON.
/// Every event carries the leader's Raft term: an agent ignores an event whose term is older
/// than the newest it has seen, so a deposed leader cannot launch or kill anything.
public struct AgentEvent: Codable, Hashable, Sendable {
    public var type: Kind
    /// The sending leader's term.
    public var term: UInt64
    @Boxed public var subscribed: Subscribed?
    @Boxed public var launch: Launch?
    @Boxed public var kill: Kill?
    @Boxed public var shutdownFramework: ShutdownFramework?
    @Boxed public var message: AgentCall.FrameworkMessage?
    @Boxed public var error: SchedulerEvent.ErrorPayload?
    @Boxed public var volumes: Volumes?

    enum CodingKeys: String, CodingKey {
        case type, term, subscribed, launch, kill
        case shutdownFramework = "shutdown_framework"
        case message, error, volumes
    }

    public init(type: Kind, term: UInt64) {
        self.type = type
        self.term = term
    }

    /// SUBSCRIBED: the agent's ID and how often it must send HEARTBEAT.
    public struct Subscribed: Codable, Hashable, Sendable {
        public var agentID: AgentID
        public var heartbeatIntervalSeconds: Double

        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case heartbeatIntervalSeconds = "heartbeat_interval_seconds"
        }

        public init(agentID: AgentID, heartbeatIntervalSeconds: Double) {
            self.agentID = agentID
            self.heartbeatIntervalSeconds = heartbeatIntervalSeconds
        }
    }

    /// VOLUMES: every persistent volume the registry holds on this agent, sent after
    /// SUBSCRIBED and whenever one is made, resized or destroyed. The agent keeps the data of
    /// these and deletes the data of any other volume it has (one destroyed while it was away).
    public struct Volumes: Codable, Hashable, Sendable {
        @Repeated public var volumes: [Resource]

        public init(volumes: [Resource]) { self.volumes = volumes }
    }

    /// LAUNCH: committed tasks to run (all of a task group at once, with its executor).
    /// Launching a task ID the agent already has is a no-op.
    public struct Launch: Codable, Hashable, Sendable {
        public var frameworkID: FrameworkID
        public var frameworkInfo: FrameworkInfo?
        public var tasks: [TaskInfo]
        public var executor: ExecutorInfo?

        enum CodingKeys: String, CodingKey {
            case frameworkID = "framework_id"
            case frameworkInfo = "framework_info"
            case tasks, executor
        }

        public init(frameworkID: FrameworkID, frameworkInfo: FrameworkInfo?, tasks: [TaskInfo], executor: ExecutorInfo?) {
            self.frameworkID = frameworkID
            self.frameworkInfo = frameworkInfo
            self.tasks = tasks
            self.executor = executor
        }
    }

    /// KILL: stop a task (the agent answers with a status update).
    public struct Kill: Codable, Hashable, Sendable {
        public var frameworkID: FrameworkID
        public var taskID: TaskID
        public var killPolicy: KillPolicy?

        enum CodingKeys: String, CodingKey {
            case frameworkID = "framework_id"
            case taskID = "task_id"
            case killPolicy = "kill_policy"
        }

        public init(frameworkID: FrameworkID, taskID: TaskID, killPolicy: KillPolicy? = nil) {
            self.frameworkID = frameworkID
            self.taskID = taskID
            self.killPolicy = killPolicy
        }
    }

    /// SHUTDOWN_FRAMEWORK: the framework was removed; kill all its tasks and forget them.
    public struct ShutdownFramework: Codable, Hashable, Sendable {
        public var frameworkID: FrameworkID

        enum CodingKeys: String, CodingKey { case frameworkID = "framework_id" }

        public init(frameworkID: FrameworkID) { self.frameworkID = frameworkID }
    }

    /// `AgentEvent.Type`.
    public struct Kind: OpenEnum {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let subscribed: Kind = "SUBSCRIBED"
        public static let launch: Kind = "LAUNCH"
        public static let kill: Kind = "KILL"
        public static let shutdownFramework: Kind = "SHUTDOWN_FRAMEWORK"
        /// A framework message for an executor.
        public static let message: Kind = "MESSAGE"
        /// Sent every heartbeat interval so the agent can tell a silent master from a dead one.
        public static let heartbeat: Kind = "HEARTBEAT"
        /// The master refuses the agent (e.g. it was marked gone); the stream then ends.
        public static let error: Kind = "ERROR"
        public static let volumes: Kind = "VOLUMES"
        public static let known: [Kind] = [.subscribed, .launch, .kill, .shutdownFramework, .message, .heartbeat, .error, .volumes]
    }
}
