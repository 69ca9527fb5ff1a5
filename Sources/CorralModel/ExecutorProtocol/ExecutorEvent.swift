/// What an agent streams to a subscribed executor (`mesos.v1.executor.Event`, JSON in
/// RecordIO records).
public struct ExecutorEvent: Codable, Hashable, Sendable {
    public var type: Kind
    public var subscribed: Subscribed?
    public var launch: Launch?
    public var launchGroup: LaunchGroup?
    public var kill: Kill?
    public var acknowledged: Acknowledged?
    public var message: ExecutorCall.Message?
    public var error: SchedulerEvent.ErrorPayload?

    enum CodingKeys: String, CodingKey {
        case type, subscribed, launch
        case launchGroup = "launch_group"
        case kill, acknowledged, message, error
    }

    public init(type: Kind) { self.type = type }

    /// SUBSCRIBED: the first event of a subscription.
    public struct Subscribed: Codable, Hashable, Sendable {
        public var executorInfo: ExecutorInfo
        public var frameworkInfo: FrameworkInfo
        public var agentInfo: AgentInfo
        /// The executor's container.
        public var containerID: ContainerID?

        enum CodingKeys: String, CodingKey {
            case executorInfo = "executor_info"
            case frameworkInfo = "framework_info"
            case agentInfo = "agent_info"
            case containerID = "container_id"
        }

        public init(executorInfo: ExecutorInfo, frameworkInfo: FrameworkInfo, agentInfo: AgentInfo, containerID: ContainerID?) {
            self.executorInfo = executorInfo
            self.frameworkInfo = frameworkInfo
            self.agentInfo = agentInfo
            self.containerID = containerID
        }
    }

    /// LAUNCH: a task to run.
    public struct Launch: Codable, Hashable, Sendable {
        public var task: TaskInfo

        public init(task: TaskInfo) { self.task = task }
    }

    /// LAUNCH_GROUP: tasks to run together.
    public struct LaunchGroup: Codable, Hashable, Sendable {
        public var taskGroup: TaskGroupInfo

        enum CodingKeys: String, CodingKey { case taskGroup = "task_group" }

        public init(taskGroup: TaskGroupInfo) { self.taskGroup = taskGroup }
    }

    /// KILL: stop a task (with the scheduler's kill policy, if it gave one).
    public struct Kill: Codable, Hashable, Sendable {
        public var taskID: TaskID
        public var killPolicy: KillPolicy?

        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case killPolicy = "kill_policy"
        }

        public init(taskID: TaskID, killPolicy: KillPolicy?) {
            self.taskID = taskID
            self.killPolicy = killPolicy
        }
    }

    /// ACKNOWLEDGED: the update with `uuid` is safe; do not send it again.
    public struct Acknowledged: Codable, Hashable, Sendable {
        public var taskID: TaskID
        @Base64Bytes public var uuid: [UInt8]?

        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case uuid
        }

        public init(taskID: TaskID, uuid: [UInt8]) {
            self.taskID = taskID
            self.uuid = uuid
        }
    }

    /// `mesos.v1.executor.Event.Type`.
    public struct Kind: OpenEnum {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let subscribed: Kind = "SUBSCRIBED"
        public static let launch: Kind = "LAUNCH"
        public static let launchGroup: Kind = "LAUNCH_GROUP"
        public static let kill: Kind = "KILL"
        public static let acknowledged: Kind = "ACKNOWLEDGED"
        public static let message: Kind = "MESSAGE"
        public static let shutdown: Kind = "SHUTDOWN"
        public static let error: Kind = "ERROR"
        public static let known: [Kind] = [.subscribed, .launch, .launchGroup, .kill, .acknowledged, .message, .shutdown, .error]
    }
}
