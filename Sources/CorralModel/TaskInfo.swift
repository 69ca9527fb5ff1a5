/// `TaskInfo`: a task to launch, as a framework sends it in a LAUNCH operation.
public struct TaskInfo: Codable, Hashable, Sendable {
    /// A human-readable name.
    public var name: String
    /// The framework's ID for the task.
    public var taskID: TaskID
    /// The agent to run on (the offer's agent).
    public var agentID: AgentID
    /// The resources the task uses.
    @Repeated public var resources: [Resource]
    /// A custom executor to run the task with.
    @Boxed public var executor: ExecutorInfo?
    /// The command to run with the built-in command executor.
    public var command: CommandInfo?
    /// How to containerize it.
    @Boxed public var container: ContainerInfo?
    /// A health check.
    @Boxed public var healthCheck: HealthCheck?
    /// How to kill it.
    public var killPolicy: KillPolicy?
    /// Opaque bytes for the executor (base64 in JSON).
    @Base64Bytes public var data: [UInt8]?
    /// Labels.
    public var labels: Labels?
    /// Service discovery.
    @Boxed public var discovery: DiscoveryInfo?
    /// How long the task may run before it is killed.
    public var maxCompletionTime: DurationInfo?

    enum CodingKeys: String, CodingKey {
        case name
        case taskID = "task_id"
        case agentID = "agent_id"
        case resources, executor, command, container
        case healthCheck = "health_check"
        case killPolicy = "kill_policy"
        case data, labels, discovery
        case maxCompletionTime = "max_completion_time"
    }

    /// Makes a task.
    public init(
        name: String,
        taskID: TaskID,
        agentID: AgentID,
        resources: [Resource] = [],
        command: CommandInfo? = nil,
        executor: ExecutorInfo? = nil,
        container: ContainerInfo? = nil,
        data: [UInt8]? = nil,
        labels: Labels? = nil,
        healthCheck: HealthCheck? = nil,
        killPolicy: KillPolicy? = nil,
        discovery: DiscoveryInfo? = nil
    ) {
        self.name = name
        self.taskID = taskID
        self.agentID = agentID
        self.resources = resources
        self.command = command
        self.executor = executor
        self.container = container
        self.data = data
        self.labels = labels
        self.healthCheck = healthCheck
        self.killPolicy = killPolicy
        self.discovery = discovery
    }
}

/// `TaskGroupInfo`: tasks launched together under one executor.
public struct TaskGroupInfo: Codable, Hashable, Sendable {
    /// The tasks.
    @Repeated public var tasks: [TaskInfo]
    /// Makes a task group.
    public init(tasks: [TaskInfo]) { self.tasks = tasks }
}
