import CorralModel

extension LeaderStateMachine {
    /// What a KILL of one task comes to.
    enum KillPlan: Equatable {
        /// The scheduler hears this (the task already ended, or was never known).
        case answer(TaskStatus)
        /// The task's agent is connected: it is told to kill the task.
        case tellAgent(AgentID)
        /// The task was committed but its agent is not connected and never started it: it ends
        /// here with this update, committed like any other.
        case endBeforeLaunch(TaskStatus)
        /// The agent is away and the task runs: the kill waits for the agent to come back
        /// (the scheduler kills again, or reconciles).
        case wait
    }

    /// KILL: the agent is told (under this term); a launch the agent never heard of ends here;
    /// a task that already ended keeps its one terminal state. `uuid` names the update if the
    /// task ends here.
    func killPlan(_ key: TaskKey, registry: Registry, uuid: [UInt8]) -> KillPlan {
        guard let task = registry.tasks[key], !task.isTerminal else {
            // A task that already ended keeps its one terminal state: the scheduler hears it
            // again rather than a TASK_LOST that contradicts the registry (found by corral-chaos).
            if let ended = registry.tasks[key] ?? Self.completedTask(key, registry: registry) {
                return .answer(Self.reconciled(ended.status))
            }
            var status = TaskStatus(
                taskID: key.taskID,
                state: .lost,
                message: "the task is not known",
                source: .master
            )
            status.reason = .reconciliation
            return .answer(status)
        }
        if agents[task.agentID] != nil { return .tellAgent(task.agentID) }
        guard task.state == .staging else { return .wait }
        var status = TaskStatus(
            taskID: key.taskID,
            state: .killed,
            message: "killed before its agent was told to launch it",
            source: .master,
            reason: .taskKilledDuringLaunch,
            agentID: task.agentID,
            uuid: uuid
        )
        status.executorID = task.executor?.executorID
        return .endBeforeLaunch(status)
    }

    /// RECONCILE: answers from the registry, without UUIDs (nothing to acknowledge): every live
    /// task of the framework when it names none, else each named task's latest state, or
    /// TASK_UNKNOWN.
    static func reconcile(_ asked: [SchedulerCall.Reconcile.Task], for id: FrameworkID, registry: Registry)
        -> [TaskStatus]
    {
        if asked.isEmpty { return registry.tasks(of: id).map { answer($0, to: id, registry: registry) } }
        return asked.map { item in
            let key = TaskKey(id, item.taskID)
            if let task = registry.tasks[key] { return answer(task, to: id, registry: registry) }
            if let done = completedTask(key, registry: registry) { return reconciled(done.status) }
            var status = TaskStatus(
                taskID: item.taskID,
                state: .unknown,
                source: .master,
                agentID: item.agentID
            )
            status.reason = .reconciliation
            return status
        }
    }

    /// The latest completed record of `key`, if the registry still keeps one.
    private static func completedTask(_ key: TaskKey, registry: Registry) -> TaskRecord? {
        registry.completedTasks.sorted(by: { $0.key < $1.key }).last(where: { $0.value.key == key })?.value
    }

    /// A reconciliation answer for a live task. A framework without PARTITION_AWARE was told
    /// TASK_LOST when the task's agent became unreachable, and hears that again, never the
    /// TASK_UNREACHABLE it does not know (as Mesos answers it; found by corral-chaos).
    private static func answer(_ task: TaskRecord, to id: FrameworkID, registry: Registry) -> TaskStatus {
        var status = reconciled(task.status)
        if status.state == .unreachable && !(registry.frameworks[id]?.isPartitionAware ?? false) {
            status.state = .lost
        }
        return status
    }

    private static func reconciled(_ status: TaskStatus) -> TaskStatus {
        var copy = status
        copy.uuid = nil
        copy.reason = .reconciliation
        copy.source = .master
        return copy
    }
}
