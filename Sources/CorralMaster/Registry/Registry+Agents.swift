import CorralModel

extension Registry {
    mutating func reregisterAgent(
        _ info: AgentInfo, reported: [ReportedTask], at: UInt64, ip: String? = nil, changes: inout [RegistryChange]
    ) -> RegistryOutcome {
        guard let id = info.id, var record = agents[id] else {
            return RegistryOutcome(error: "agent \(info.id?.value ?? "?") is not registered", reason: "REASON_AGENT_UNKNOWN")
        }
        if case .gone = record.state {
            return RegistryOutcome(error: "agent \(id) was marked gone", reason: "REASON_AGENT_REMOVED_BY_OPERATOR")
        }
        let wasUnreachable = record.state != .active
        record.info = info
        if let ip { record.ip = ip }
        record.state = .active
        record.reregisteredAtNanos = at
        agents[id] = record
        touch(.agent(id))
        changes.append(.agentUpdated(record))

        let reportedByKey = Dictionary(
            reported.map { (TaskKey($0.frameworkID, $0.status.taskID), $0.status) }, uniquingKeysWith: { _, last in last })
        for task in tasks(onAgent: id) where !task.isTerminal {
            if let status = reportedByKey[task.key] {
                // The agent still runs it: a task marked unreachable comes back as it is...
                guard wasUnreachable, task.state == .unreachable else { continue }
                if !(frameworks[task.key.frameworkID]?.isPartitionAware ?? false) {
                    // ...unless its framework was told TASK_LOST: then it is over, and the
                    // leader kills it on the agent (as Mesos does). No second update is sent.
                    var ended = task
                    ended.state = .lost
                    ended.status.state = .lost
                    store(ended, changes: &changes)
                    continue
                }
                var back = masterStatus(for: task, state: status.state, reason: .agentReregistered,
                    message: "the agent re-registered", at: at)
                back.uuid = makeUUID()
                _ = statusUpdate(task.key, back, at: at, changes: &changes)
            } else if task.state != .staging {
                // The agent does not know it: it is gone (a launch still staging is sent again).
                var lost = masterStatus(for: task, state: .lost, reason: .agentRestarted,
                    message: "the agent re-registered without this task", at: at)
                lost.uuid = makeUUID()
                _ = statusUpdate(task.key, lost, at: at, changes: &changes)
            }
        }
        return .ok
    }

    mutating func agentUnreachable(_ id: AgentID, at: UInt64, changes: inout [RegistryChange]) -> RegistryOutcome {
        guard var record = agents[id] else { return RegistryOutcome(error: "agent \(id) is not registered") }
        guard record.state == .active else { return .ok }
        // The leader decided this before the agent re-registered (the proposal waited behind
        // a slow disk, say): it is stale, and would cut off an agent that is back.
        if let back = record.reregisteredAtNanos, back > at { return .ok }
        record.state = .unreachable(sinceNanos: at)
        agents[id] = record
        touch(.agent(id))
        changes.append(.agentUpdated(record))
        for task in tasks(onAgent: id) where !task.isTerminal {
            let partitionAware = frameworks[task.key.frameworkID]?.isPartitionAware ?? false
            var status = masterStatus(for: task, state: .unreachable, reason: .agentDisconnected,
                message: "the agent is unreachable", at: at)
            status.unreachableTime = DurationInfo(nanoseconds: Int64(at))
            status.uuid = makeUUID()
            _ = statusUpdate(task.key, status, at: at, changes: &changes)
            if !partitionAware, var updated = tasks[task.key], let last = updated.pending.indices.last {
                // Frameworks that are not PARTITION_AWARE are told TASK_LOST, as Mesos does.
                updated.pending[last].state = .lost
                tasks[task.key] = updated
                // Report the record as stored, not as it was before the rewrite.
                if case .taskUpdated(let reported)? = changes.last, reported.key == task.key {
                    changes[changes.count - 1] = .taskUpdated(updated)
                }
            }
        }
        return .ok
    }

    mutating func markAgentGone(_ id: AgentID, at: UInt64, changes: inout [RegistryChange]) -> RegistryOutcome {
        guard var record = agents[id] else { return RegistryOutcome(error: "agent \(id) is not registered") }
        if case .gone = record.state { return .ok }
        record.state = .gone(atNanos: at)
        agents[id] = record
        touch(.agent(id))
        changes.append(.agentUpdated(record))
        for task in tasks(onAgent: id) where !task.isTerminal {
            var status = masterStatus(for: task, state: .goneByOperator, reason: .agentRemovedByOperator,
                message: "an operator marked the agent gone", at: at)
            status.uuid = makeUUID()
            _ = statusUpdate(task.key, status, at: at, changes: &changes)
        }
        return .ok
    }
}
