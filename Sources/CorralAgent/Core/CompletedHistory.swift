import CorralModel

/// The tasks that ended with every update acknowledged, kept in memory for the agent's views as
/// mesos-agent keeps them for its `completed_frameworks`, `completed_executors` and
/// `completed_tasks`: at most `Limits.tasksPerExecutor` tasks per executor,
/// `Limits.executorsPerFramework` executors per framework and `Limits.frameworks` frameworks,
/// the least recently completed forgotten first. It is not checkpointed: an agent restarted
/// shows only what completes after the restart (the completed task keys that guard against a
/// second launch are kept apart, in `AgentStateMachine.completed`, and are checkpointed).
public struct CompletedHistory: Sendable, Hashable {
    /// How much is kept; the defaults are mesos-agent's (`MAX_COMPLETED_TASKS_PER_EXECUTOR`,
    /// `--max_completed_executors_per_framework`, `MAX_COMPLETED_FRAMEWORKS`).
    public struct Limits: Sendable, Hashable {
        /// Completed tasks kept per executor.
        public var tasksPerExecutor = 200
        /// Executors with completed tasks kept per framework.
        public var executorsPerFramework = 150
        /// Frameworks with completed tasks kept.
        public var frameworks = 50

        /// Mesos's defaults.
        public init() {}
    }

    /// An executor's completed tasks, oldest first.
    public struct Executor: Sendable, Hashable {
        /// The executor's ID (the task's own for a command task).
        public var id: ExecutorID
        /// Its completed tasks, oldest first.
        public var tasks: [AgentTask]
    }

    /// A framework's executors with completed tasks, least recently completed first.
    public struct Framework: Sendable, Hashable {
        /// The framework's ID.
        public var id: FrameworkID
        /// Its executors, least recently completed first.
        public var executors: [Executor]
    }

    /// What is kept.
    public let limits: Limits
    /// Frameworks, least recently completed first.
    public private(set) var frameworks: [Framework] = []

    /// An empty history that keeps at most `limits`.
    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Every task kept.
    public var tasks: [AgentTask] { frameworks.flatMap { $0.executors.flatMap(\.tasks) } }

    /// Keeps a task that completed, forgetting the oldest past the limits.
    mutating func record(_ task: AgentTask) {
        let frameworkID = task.key.frameworkID
        let executorID = task.executorID
        var framework = frameworks.firstIndex { $0.id == frameworkID }.map { frameworks.remove(at: $0) }
            ?? Framework(id: frameworkID, executors: [])
        var executor = framework.executors.firstIndex { $0.id == executorID }.map { framework.executors.remove(at: $0) }
            ?? Executor(id: executorID, tasks: [])
        executor.tasks.append(task)
        executor.tasks.removeFirst(max(executor.tasks.count - max(limits.tasksPerExecutor, 1), 0))
        framework.executors.append(executor)
        framework.executors.removeFirst(max(framework.executors.count - max(limits.executorsPerFramework, 1), 0))
        frameworks.append(framework)
        frameworks.removeFirst(max(frameworks.count - max(limits.frameworks, 1), 0))
    }
}
