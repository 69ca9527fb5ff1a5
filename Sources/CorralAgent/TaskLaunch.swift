import CorralModel

/// One committed launch the agent must carry out: a task (or each task of a group, sharing
/// `executor`) with the framework it belongs to, as the leader's LAUNCH event gave it.
public struct TaskLaunch: Codable, Hashable, Sendable {
    public var key: TaskKey
    public var frameworkInfo: FrameworkInfo?
    public var task: TaskInfo
    /// The executor of a task group or a custom executor; nil for a command task.
    public var executor: ExecutorInfo?
    /// The IDs of every task of its task group (itself included); nil outside a group. The
    /// tasks of a group are killed together, as Mesos's default executor kills them.
    public var group: [TaskID]?
    /// For a task of a group: the host pid of its executor's container init, whose network,
    /// IPC and UTS namespaces the task's container joins. Set when the launch is handed to
    /// the runner (it is not known before the executor runs).
    public var executorPID: UInt32?

    public init(key: TaskKey, frameworkInfo: FrameworkInfo?, task: TaskInfo, executor: ExecutorInfo?, group: [TaskID]? = nil) {
        self.key = key
        self.frameworkInfo = frameworkInfo
        self.task = task
        self.executor = executor
        self.group = group
    }
}

/// How a task's container ended, as the agent reports it in a terminal status update.
public struct TaskEnd: Codable, Hashable, Sendable {
    /// TASK_FINISHED, TASK_FAILED, TASK_KILLED (or TASK_ERROR for a launch refused before it ran).
    public var state: TaskState
    public var reason: TaskStatus.Reason?
    /// What happened, for people: names the image, signal, exit code or limit.
    public var message: String
    /// The wait status of the task's process, where there was one.
    public var exitStatus: Int32?

    public init(state: TaskState, reason: TaskStatus.Reason?, message: String, exitStatus: Int32? = nil) {
        self.state = state
        self.reason = reason
        self.message = message
        self.exitStatus = exitStatus
    }
}
