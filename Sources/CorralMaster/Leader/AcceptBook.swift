import CorralModel

/// What one ACCEPT has taken so far: the framework's task IDs in use and the executors its
/// committed operations start. An operation is checked against a copy and the copy is kept
/// only when the operation is committed, so a dropped operation takes nothing.
package struct AcceptBook: Equatable {
    /// Task IDs the framework already uses, in the registry or earlier in this ACCEPT.
    var inUse: Set<TaskID>
    /// Executors started earlier in this ACCEPT.
    var started: [ExecutorID: ExecutorInfo] = [:]

    /// The executor with this ID that runs, or will run, on the agent.
    func existing(_ executor: ExecutorID, framework: FrameworkID, agent: AgentID, registry: Registry) -> ExecutorInfo? {
        started[executor] ?? registry.liveExecutor(executor, of: framework, onAgent: agent)
    }

    /// Whether the executor must be started (and paid for) by this launch.
    func isNew(_ executor: ExecutorInfo, framework: FrameworkID, agent: AgentID, registry: Registry) -> Bool {
        existing(executor.executorID, framework: framework, agent: agent, registry: registry) == nil
    }

    /// Takes the tasks' IDs and their executors.
    mutating func take(_ tasks: [TaskInfo], group: ExecutorInfo?) {
        for task in tasks {
            inUse.insert(task.taskID)
            if let executor = task.executor { started[executor.executorID] = executor }
        }
        if let group { started[group.executorID] = group }
    }
}
