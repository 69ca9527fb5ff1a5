import CorralModel

// MARK: - DRAIN_AGENT

extension Registry {
    /// Starts draining an active agent: it is deactivated (nothing on it is offered), the
    /// leader kills its live tasks, and once none is live it is drained at once here.
    mutating func drainAgent(
        _ id: AgentID,
        maxGraceNanos: Int64?,
        markGone: Bool,
        at: UInt64,
        changes: inout [RegistryChange]
    ) -> RegistryOutcome {
        guard var record = agents[id] else {
            return RegistryOutcome(error: "agent \(id) is not registered", reason: "REASON_AGENT_UNKNOWN")
        }
        if case .gone = record.state { return RegistryOutcome(error: "agent \(id) was marked gone") }
        if let drain = record.drain, drain.state == .drained, !markGone || drain.markGone { return .ok }
        record.deactivated = true
        record.drain = AgentRecord.Drain(state: .draining, maxGraceNanos: maxGraceNanos, markGone: markGone)
        agents[id] = record
        touch(.agent(id))
        changes.append(.agentUpdated(record))
        finishDrainIfDone(id, at: at, changes: &changes)
        return .ok
    }

    /// A draining agent with no live task left is drained, and marked gone if the drain asked.
    mutating func finishDrainIfDone(_ id: AgentID, at: UInt64, changes: inout [RegistryChange]) {
        guard var record = agents[id], let drain = record.drain, drain.state == .draining,
            !tasks(onAgent: id).contains(where: { !$0.isTerminal })
        else { return }
        record.drain?.state = .drained
        agents[id] = record
        touch(.agent(id))
        changes.append(.agentUpdated(record))
        if drain.markGone { _ = markAgentGone(id, at: at, changes: &changes) }
    }
}
