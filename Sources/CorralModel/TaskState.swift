/// `TaskState`: every state of Mesos's task lifecycle, by proto name.
public struct TaskState: OpenEnum {
    /// The proto name.
    public let rawValue: String
    /// Wraps a proto name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Accepted by the master, not yet running (initial state).
    public static let staging: TaskState = "TASK_STAGING"
    /// The executor is starting it.
    public static let starting: TaskState = "TASK_STARTING"
    /// Running.
    public static let running: TaskState = "TASK_RUNNING"
    /// Being killed (for frameworks with TASK_KILLING_STATE).
    public static let killing: TaskState = "TASK_KILLING"
    /// Ended successfully. Terminal.
    public static let finished: TaskState = "TASK_FINISHED"
    /// Ended in failure. Terminal.
    public static let failed: TaskState = "TASK_FAILED"
    /// Killed. Terminal.
    public static let killed: TaskState = "TASK_KILLED"
    /// Invalid and never launched. Terminal.
    public static let error: TaskState = "TASK_ERROR"
    /// Lost (for frameworks that are not PARTITION_AWARE). Terminal.
    public static let lost: TaskState = "TASK_LOST"
    /// Never started, e.g. it was launched while its agent restarted. Terminal.
    public static let dropped: TaskState = "TASK_DROPPED"
    /// Its agent is unreachable; it may come back. Not terminal.
    public static let unreachable: TaskState = "TASK_UNREACHABLE"
    /// Its agent is gone; it is not running. Terminal.
    public static let gone: TaskState = "TASK_GONE"
    /// An operator marked its agent gone. Terminal.
    public static let goneByOperator: TaskState = "TASK_GONE_BY_OPERATOR"
    /// The master does not know it (reconciliation answer). Not terminal.
    public static let unknown: TaskState = "TASK_UNKNOWN"

    /// Every name this build knows, in `mesos.proto` order.
    public static let known: [TaskState] = [
        .staging, .starting, .running, .killing, .finished, .failed, .killed, .error, .lost,
        .dropped, .unreachable, .gone, .goneByOperator, .unknown,
    ]

    /// The states Mesos treats as terminal (`protobuf_utils::isTerminalState`): the task
    /// will not run again and its resources are free.
    public static let terminal: Set<TaskState> = [
        .finished, .failed, .killed, .error, .lost, .dropped, .gone, .goneByOperator,
    ]

    /// Whether the state is terminal. An unknown name is not.
    public var isTerminal: Bool { TaskState.terminal.contains(self) }
}
