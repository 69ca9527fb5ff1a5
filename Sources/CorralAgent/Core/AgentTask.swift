import CorralModel

/// One task in the agent's table, as it is checkpointed: what was launched, the newest status
/// the agent made for it, and what the runner reported.
///
/// A task stays in the table until its terminal update is acknowledged; it then becomes a
/// completed key (see `AgentCheckpointState.completed`), so a replayed LAUNCH cannot run it again.
public struct AgentTask: Codable, Hashable, Sendable {
    public var key: TaskKey
    /// What to run; nil for a task killed before its LAUNCH arrived.
    public var launch: TaskLaunch?
    /// The newest status the agent made for the task (its state is the task's state).
    public var status: TaskStatus
    /// The task's container, once the runner reported it running.
    public var containerID: ContainerID?
    /// The PID of the task's executor (or command), once the runner reported it.
    public var executorPID: UInt32?
    /// Set once a kill was asked for: the grace period between SIGTERM and SIGKILL.
    public var killGrace: Duration?
    /// Set when the task outlived its `max_completion_time` and was killed for it: its end is
    /// then reported as TASK_FAILED with REASON_MAX_COMPLETION_TIME_REACHED.
    public var maxCompletionReached: Bool

    public init(
        key: TaskKey, launch: TaskLaunch?, status: TaskStatus, containerID: ContainerID? = nil,
        executorPID: UInt32? = nil, killGrace: Duration? = nil, maxCompletionReached: Bool = false
    ) {
        self.key = key
        self.launch = launch
        self.status = status
        self.containerID = containerID
        self.executorPID = executorPID
        self.killGrace = killGrace
        self.maxCompletionReached = maxCompletionReached
    }

    /// The task's state (that of its newest status).
    public var state: TaskState { status.state }

    /// Whether the task holds its resources: launched and not ended.
    public var isLive: Bool { launch != nil && !status.state.isTerminal }

    /// The executor the task runs under: a group's or custom executor, or (as in Mesos) one
    /// named after the task for a command task.
    public var executorID: ExecutorID {
        launch?.executor?.executorID ?? launch?.task.executor?.executorID ?? ExecutorID(key.taskID.value)
    }
}

/// A status update the master has not acknowledged yet: checkpointed before it is first
/// sent, sent again until the master answers 202 for its UUID, then removed.
public struct PendingUpdate: Codable, Hashable, Sendable {
    /// Order of creation on this agent; a task's updates are sent in this order.
    public var sequence: UInt64
    public var frameworkID: FrameworkID
    /// The status, with its UUID set.
    public var status: TaskStatus

    public init(sequence: UInt64, frameworkID: FrameworkID, status: TaskStatus) {
        self.sequence = sequence
        self.frameworkID = frameworkID
        self.status = status
    }

    /// The task it is about.
    public var key: TaskKey { TaskKey(frameworkID, status.taskID) }
    /// The update's UUID (16 bytes).
    public var uuid: [UInt8] { status.uuid ?? [] }
}
