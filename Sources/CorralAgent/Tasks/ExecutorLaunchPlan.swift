import CorralModel

/// Turns a custom executor into the launch of its container, for the same runner path as a
/// command task (`TaskLauncher`, `TaskLaunchPlan`): pure, so its rules are tested without a
/// container.
///
/// The container's "task" is made from the `ExecutorInfo`: its ID is the executor's ID (so
/// `MESOS_EXECUTOR_ID` is right), its command, container and resources are the executor's,
/// and `TaskLaunch.executor` holds the `ExecutorInfo` itself.
enum ExecutorLaunchPlan {
    /// The launch of `executor`'s container, with the Executor API's `environment` added to
    /// the executor's own variables (the executor's own win, as in Mesos).
    static func launch(for executor: AgentExecutor, agentID: AgentID, environment: [String: String]) -> TaskLaunch {
        let info = executor.info
        var task = TaskInfo(
            name: info.name ?? info.executorID.value, taskID: TaskID(info.executorID.value), agentID: agentID,
            resources: info.resources)
        var command = info.command ?? CommandInfo(value: holdCommand)
        var variables = command.environment?.variables ?? []
        let own = Set(variables.map(\.name))
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where !own.contains(name) {
            variables.append(Environment.Variable(name: name, value: value))
        }
        command.environment = Environment(variables: variables)
        task.command = command
        task.container = info.container
        return TaskLaunch(
            key: TaskKey(executor.key.frameworkID, TaskID(executor.key.executorID.value)), frameworkInfo: executor.frameworkInfo,
            task: task, executor: info)
    }

    /// What the default executor's container runs: nothing but a holder of the namespaces its
    /// group's tasks join, until it is told to stop.
    static let holdCommand = "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"

    /// Whether a launch is an executor's own (made by `launch(for:)`), not a task's.
    static func isExecutor(_ launch: TaskLaunch) -> Bool {
        guard let executor = launch.executor, launch.task.executor == nil, launch.group == nil else { return false }
        return executor.executorID.value == launch.task.taskID.value
    }

    /// A duration as Mesos writes one in the environment (`5secs`, `250ms`, `15mins`).
    static func mesosDuration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 60_000 == 0 && milliseconds >= 60_000 { return "\(milliseconds / 60_000)mins" }
        if milliseconds % 1_000 == 0 { return "\(milliseconds / 1_000)secs" }
        return "\(milliseconds)ms"
    }
}
