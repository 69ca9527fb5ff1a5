import CorralModel
import CorralScheduler
import Foundation

/// What the agent's HTTP API shows, taken from the state machine at one moment: who the agent
/// is, what it has and holds, and its tasks grouped by framework and executor, each with its
/// sandbox directory.
///
/// It shows only what the agent knows. An ended task whose terminal update the master has not
/// acknowledged is "terminated"; once acknowledged it leaves the state machine's table for its
/// bounded, in-memory `CompletedHistory` and is "completed", as in mesos-agent. An executor
/// with no live task is completed, and so is a framework whose tasks are all completed.
public struct AgentView: Sendable, Equatable {
    /// One task in the agent's table.
    public struct Task: Sendable, Hashable {
        /// The task's framework and ID.
        public var key: TaskKey
        /// The task's name (its ID for a task killed before its LAUNCH arrived).
        public var name: String
        /// The state of its newest status.
        public var state: TaskState
        /// Oldest first: the updates the master has not acknowledged yet, then the newest
        /// status when that one was already acknowledged. Earlier acknowledged statuses are
        /// not kept by the agent.
        public var statuses: [TaskStatus]
        /// How many of `statuses`, from the first, await the master's acknowledgement.
        public var pendingStatuses: Int
        /// The executor the task runs under (its own ID for a command task).
        public var executorID: ExecutorID
        /// The task's sandbox.
        public var directory: String
        /// What the task holds (empty for a task that never launched).
        public var resources: [Resource]
        /// What was launched; nil for a task killed before its LAUNCH arrived.
        public var launch: TaskLaunch?
        /// The task's container, once the runner reported it running.
        public var containerID: ContainerID?
        /// The PID of the task's executor (or command), once the runner reported it.
        public var executorPID: UInt32?

        /// Whether the task ended with every update acknowledged (from the history).
        public var isCompleted = false

        /// Whether the task holds its resources: launched and not ended.
        public var isLive: Bool { launch != nil && !state.isTerminal }
    }

    /// An executor and the tasks that run under it.
    public struct Executor: Sendable, Equatable {
        /// The framework the executor belongs to.
        public var frameworkID: FrameworkID
        /// The group's or custom executor's info, or one describing the command executor.
        public var info: ExecutorInfo
        /// Whether this is the built-in command executor of a single command task.
        public var isCommandExecutor: Bool
        /// The executor's sandbox (that of its first task).
        public var directory: String
        /// The container of its first task that has one.
        public var containerID: ContainerID?
        /// The executor's PID, from its first task that has one.
        public var executorPID: UInt32?
        /// The executor's own resources (while it has live tasks) plus its live tasks'.
        public var resources: Resources
        /// Launched and not ended.
        public var tasks: [Task]
        /// Ended, their terminal update not yet acknowledged.
        public var terminatedTasks: [Task]
        /// Ended and acknowledged, oldest first (at most `CompletedHistory.Limits.tasksPerExecutor`).
        public var completedTasks: [Task]

        /// Whether some task still runs under it.
        public var isLive: Bool { !tasks.isEmpty }
    }

    /// A framework with tasks on this agent.
    public struct Framework: Sendable, Equatable {
        /// The framework's ID.
        public var id: FrameworkID
        /// From its launches; only the ID when no launch carried a `FrameworkInfo`.
        public var info: FrameworkInfo
        /// Its executors on this agent, by ID.
        public var executors: [Executor]
    }

    /// One setting, under its name in the agent's TOML file.
    public struct Flag: Sendable, Hashable {
        /// The name, e.g. `work_dir` or `timing.request_timeout_ms`.
        public var name: String
        /// The value as text.
        public var value: String

        /// A setting.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Hostname, port, resources, attributes and (once registered) ID.
    public var info: AgentInfo
    /// Where the HTTP server really listens.
    public var address: ListenAddress
    /// When the agent started (wall clock).
    public var startTime: Date
    /// The master the agent is connected to, when it knows one.
    public var master: MasterAddress?
    /// Whether the agent is subscribed to a leading master.
    public var registered: Bool
    /// The highest leader term the agent has seen.
    public var highestTerm: UInt64
    /// Everything the agent offers (quantities by name).
    public var totalResources: Resources
    /// What live tasks and their executors hold.
    public var usedResources: Resources
    /// The total less what is used.
    public var freeResources: Resources
    /// Frameworks with a task in the state machine's table, by ID, each with its executors by ID.
    public var frameworks: [Framework]
    /// Frameworks whose every task kept is completed, by ID.
    public var completedFrameworks: [Framework]
    /// Status updates not yet acknowledged by the master.
    public var pendingUpdates: Int
    /// The agent's settings.
    public var flags: [Flag]
    /// The disk watch's latest measurement of each live task's persistent volumes.
    var volumeUsage: [TaskKey: VolumeReport] = [:]

    /// What a task's persistent volumes took on disk when the disk watch last measured them.
    struct VolumeReport: Sendable, Equatable {
        /// When, in seconds since the epoch.
        var at: Double
        var volumes: [PersistentVolumes.Usage]
    }

    /// A view of `machine`'s state. `address` is the address the HTTP server is bound to,
    /// `master` the master the agent talks to (nil when none), `sandbox` each task's sandbox
    /// directory.
    public init(
        machine: AgentStateMachine, config: AgentConfig, startTime: Date, address: ListenAddress,
        master: MasterAddress?, sandbox: (AgentTask) -> String
    ) {
        info = machine.info
        self.address = address
        self.startTime = startTime
        self.master = master
        if case .subscribed = machine.connection { registered = true } else { registered = false }
        highestTerm = machine.highestTerm
        totalResources = Resources(machine.info.resources).flattened
        usedResources = machine.usedResources
        freeResources = machine.freeResources
        pendingUpdates = machine.updates.count
        flags = Self.flags(config)
        let pending = Dictionary(grouping: machine.updates.values, by: \.key)
        let tasks = machine.tasks.values.sorted { $0.key < $1.key }.map { task in
            Self.task(task, pending: pending[task.key] ?? [], directory: sandbox(task))
        }
        let completed = machine.history.tasks.map { task in
            var view = Self.task(task, pending: [], directory: sandbox(task))
            view.isCompleted = true
            return view
        }
        let all = Self.frameworks(tasks + completed)
        let current = Set(machine.tasks.keys.map(\.frameworkID))
        frameworks = all.filter { current.contains($0.id) }
        completedFrameworks = all.filter { !current.contains($0.id) }
    }

    /// The agent's ID, or "" before the master gave it one.
    public var agentID: String { info.id?.value ?? "" }

    /// Every task, by framework and executor, completed ones included.
    public var tasks: [Task] {
        (frameworks + completedFrameworks).flatMap { $0.executors.flatMap { $0.tasks + $0.terminatedTasks + $0.completedTasks } }
    }

    /// Every executor, by framework, completed ones included.
    public var executors: [Executor] { (frameworks + completedFrameworks).flatMap(\.executors) }
}
