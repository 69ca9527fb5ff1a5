import CorralModel

extension Registry {
    /// Commits a launch only if it fits: the framework and agent are live, no task ID is in
    /// use, and the tasks fit in what the agent has left after every other live task.
    mutating func launch(
        _ frameworkID: FrameworkID, agentID: AgentID, role: String, tasks launched: [TaskInfo],
        executor: ExecutorInfo?, at: UInt64, changes: inout [RegistryChange]
    ) -> RegistryOutcome {
        guard let framework = frameworks[frameworkID], !framework.isRemoved else {
            return RegistryOutcome(error: "framework \(frameworkID) is not registered", reason: "REASON_INVALID_FRAMEWORKID")
        }
        guard let agent = agents[agentID], agent.isActive else {
            return RegistryOutcome(error: "agent \(agentID) is not active", reason: "REASON_AGENT_UNKNOWN")
        }
        guard !launched.isEmpty else { return RegistryOutcome(error: "no tasks to launch", reason: "REASON_TASK_INVALID") }
        var seen: Set<TaskID> = []
        var needed = Resources()
        for task in launched {
            guard seen.insert(task.taskID).inserted, tasks[TaskKey(frameworkID, task.taskID)] == nil else {
                return RegistryOutcome(error: "task ID \(task.taskID) is already in use", reason: "REASON_TASK_INVALID")
            }
            needed += Resources(task.resources)
        }
        // A task group's executor, or each distinct custom executor of plain tasks, is paid
        // for once unless it already runs there.
        var executors: [ExecutorID: ExecutorInfo] = [:]
        if let executor { executors[executor.executorID] = executor }
        for task in launched { if let own = task.executor { executors[own.executorID] = own } }
        for (id, info) in executors where !hasLiveExecutor(id, of: frameworkID, onAgent: agentID) {
            needed += Resources(info.resources)
        }
        let free = agent.total.unallocated - allocated(onAgent: agentID)
        guard free.contains(needed.unallocated) else {
            return RegistryOutcome(
                error: "the tasks need \(needed) but agent \(agentID) has \(free) left", reason: "REASON_INVALID_OFFERS")
        }
        for task in launched {
            var info = task
            info.agentID = agentID
            let key = TaskKey(frameworkID, task.taskID)
            let taskExecutor = executor ?? task.executor
            let status = TaskStatus(
                taskID: task.taskID, state: .staging, source: .master, agentID: agentID,
                executorID: taskExecutor?.executorID, timestamp: Double(at) / 1e9)
            let record = TaskRecord(
                key: key, agentID: agentID, role: role, info: info, executor: taskExecutor, state: .staging,
                status: status, pending: [], recentUUIDs: [], launchedAtNanos: at)
            tasks[key] = record
            touch(.task(key))
            changes.append(.taskAdded(record))
        }
        return .ok
    }

    /// Records a status update: a duplicate (same UUID) or an update after the end changes
    /// nothing; one with a UUID waits for the scheduler's acknowledgement.
    mutating func statusUpdate(_ key: TaskKey, _ status: TaskStatus, at: UInt64, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        guard var task = tasks[key] else { return RegistryOutcome(error: "task \(key) is not known") }
        if let uuid = status.uuid, task.recentUUIDs.contains(uuid) { return .ok }
        if task.isTerminal { return RegistryOutcome(error: "task \(key) has already ended") }
        // Only the agent that runs a task reports on it: one that registered afresh (it lost
        // its ID) while the task's agent is unreachable must not revive the task under it.
        if status.source != .master, let sender = status.agentID, sender != task.agentID {
            return RegistryOutcome(error: "task \(key) runs on agent \(task.agentID), not on \(sender)")
        }
        // A framework that is not PARTITION_AWARE was told TASK_LOST when the task's agent
        // became unreachable: that is final for it. An update the agent sent before it was
        // marked so, and committed after, must not follow; the agent's re-registration ends
        // the task instead (see `reregisterAgent`).
        if status.source != .master, task.state == .unreachable,
            !(frameworks[key.frameworkID]?.isPartitionAware ?? false)
        {
            return RegistryOutcome(error: "task \(key) was reported lost while its agent was unreachable")
        }
        var status = status
        status.agentID = status.agentID ?? task.agentID
        status.timestamp = status.timestamp ?? Double(at) / 1e9
        task.state = status.state
        task.status = status
        if let uuid = status.uuid {
            task.pending.append(status)
            task.recentUUIDs.append(uuid)
            if task.recentUUIDs.count > 16 { task.recentUUIDs.removeFirst() }
        }
        store(task, changes: &changes)
        return .ok
    }

    mutating func acknowledge(_ key: TaskKey, uuid: [UInt8], changes: inout [RegistryChange]) -> RegistryOutcome {
        guard var task = tasks[key], let position = task.pending.firstIndex(where: { $0.uuid == uuid }) else {
            return RegistryOutcome(error: "no unacknowledged update of task \(key) has that UUID")
        }
        task.pending.remove(at: position)
        store(task, changes: &changes)
        return .ok
    }

    /// Writes a task back; a terminal one with nothing left to acknowledge moves to the completed list.
    mutating func store(_ task: TaskRecord, changes: inout [RegistryChange]) {
        touch(.task(task.key))
        if task.isTerminal && task.pending.isEmpty {
            tasks.removeValue(forKey: task.key)
            complete(task)
            changes.append(.taskCompleted(task))
        } else {
            tasks[task.key] = task
            changes.append(.taskUpdated(task))
        }
        if task.isTerminal { finishDrainIfDone(task.agentID, at: clockNanos, changes: &changes) }
    }
}
