/// `TaskStatus`: one status update of a task, from the master, the agent or the executor.
public struct TaskStatus: Codable, Hashable, Sendable {
    /// The task.
    public var taskID: TaskID
    /// Its new state.
    public var state: TaskState
    /// A human-readable explanation.
    public var message: String?
    /// Who generated the update.
    public var source: Source?
    /// Why, in machine-readable form.
    public var reason: Reason?
    /// Opaque bytes from the executor (base64 in JSON).
    @Base64Bytes public var data: [UInt8]?
    /// The task's agent.
    public var agentID: AgentID?
    /// The task's executor.
    public var executorID: ExecutorID?
    /// When, in seconds since the epoch (set by whoever generated it).
    public var timestamp: Double?
    /// The update's UUID (base64 in JSON); set on updates the scheduler must acknowledge.
    @Base64Bytes public var uuid: [UInt8]?
    /// The result of the last health check.
    public var healthy: Bool?
    /// Labels.
    public var labels: Labels?
    /// The container's ID, networks and executor PID.
    public var containerStatus: ContainerStatus?
    /// When the task became unreachable.
    public var unreachableTime: DurationInfo?

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id"
        case state, message, source, reason, data
        case agentID = "agent_id"
        case executorID = "executor_id"
        case timestamp, uuid, healthy, labels
        case containerStatus = "container_status"
        case unreachableTime = "unreachable_time"
    }

    /// Makes a status update.
    public init(
        taskID: TaskID,
        state: TaskState,
        message: String? = nil,
        source: Source? = nil,
        reason: Reason? = nil,
        data: [UInt8]? = nil,
        agentID: AgentID? = nil,
        executorID: ExecutorID? = nil,
        timestamp: Double? = nil,
        uuid: [UInt8]? = nil,
        healthy: Bool? = nil,
        labels: Labels? = nil,
        containerStatus: ContainerStatus? = nil
    ) {
        self.taskID = taskID
        self.state = state
        self.message = message
        self.source = source
        self.reason = reason
        self.data = data
        self.agentID = agentID
        self.executorID = executorID
        self.timestamp = timestamp
        self.uuid = uuid
        self.healthy = healthy
        self.labels = labels
        self.containerStatus = containerStatus
    }

    /// `TaskStatus.Source`.
    public struct Source: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The master.
        public static let master: Source = "SOURCE_MASTER"
        /// The agent.
        public static let agent: Source = "SOURCE_AGENT"
        /// The executor.
        public static let executor: Source = "SOURCE_EXECUTOR"
        /// Every name this build knows.
        public static let known: [Source] = [.master, .agent, .executor]
    }
}

/// `ContainerStatus`: `{"container_id", "network_infos", "executor_pid"}`.
public struct ContainerStatus: Codable, Hashable, Sendable {
    /// The container.
    public var containerID: ContainerID?
    /// The networks it joined, with assigned addresses.
    @Repeated public var networkInfos: [NetworkInfo]
    /// The executor's PID.
    public var executorPID: UInt32?

    enum CodingKeys: String, CodingKey {
        case containerID = "container_id"
        case networkInfos = "network_infos"
        case executorPID = "executor_pid"
    }

    /// Makes a container status.
    public init(containerID: ContainerID? = nil, networkInfos: [NetworkInfo] = [], executorPID: UInt32? = nil)
    {
        self.containerID = containerID
        self.networkInfos = networkInfos
        self.executorPID = executorPID
    }
}
