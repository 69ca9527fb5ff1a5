import CorralModel

// MARK: - Dynamic reservations: RESERVE and UNRESERVE

extension Registry {
    /// Reserves `resources` on the agent, all or none: each must carry a dynamic reservation
    /// on top of its stack, and what it was before that reservation must be free there (not
    /// held by a live task or executor, nor reserved already).
    mutating func reserve(_ resources: [Resource], on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        guard var record = agents[agentID], record.isActive else {
            return RegistryOutcome(
                error: "agent \(agentID) is not registered and active",
                reason: "REASON_AGENT_UNKNOWN"
            )
        }
        guard !resources.isEmpty else { return RegistryOutcome(error: "the RESERVE names no resources") }
        var free = record.total.unallocated - allocated(onAgent: agentID)
        var reserved = Resources(record.reserved)
        for resource in Resources(resources).unallocated.map(\.refined) {
            guard let source = resource.beforeDynamicReservation else {
                return RegistryOutcome(
                    error: "\(Resources([resource])) does not carry a dynamic reservation on top of its stack"
                )
            }
            guard free.contains(source) else {
                return RegistryOutcome(
                    error: "agent \(agentID) has not got \(source) free to reserve (free: \(free))",
                    reason: "REASON_INVALID_OFFERS"
                )
            }
            free.subtract(source)
            free.add(resource)
            reserved.add(resource)
        }
        record.reserved = Array(reserved)
        agents[agentID] = record
        touch(.agent(agentID))
        changes.append(.agentUpdated(record))
        return .ok
    }

    /// Unreserves `resources` on the agent, all or none: each must be dynamically reserved
    /// there and free (no live task or executor holds it).
    mutating func unreserve(_ resources: [Resource], on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        guard var record = agents[agentID], record.isActive else {
            return RegistryOutcome(
                error: "agent \(agentID) is not registered and active",
                reason: "REASON_AGENT_UNKNOWN"
            )
        }
        guard !resources.isEmpty else { return RegistryOutcome(error: "the UNRESERVE names no resources") }
        var free = record.total.unallocated - allocated(onAgent: agentID)
        var reserved = Resources(record.reserved)
        for resource in Resources(resources).unallocated.map(\.refined) {
            guard resource.beforeDynamicReservation != nil, reserved.contains(resource) else {
                return RegistryOutcome(
                    error: "\(Resources([resource])) is not dynamically reserved on agent \(agentID)"
                )
            }
            guard free.contains(resource) else {
                return RegistryOutcome(
                    error:
                        "\(Resources([resource])) on agent \(agentID) is in use by a task or executor (free: \(free))",
                    reason: "REASON_INVALID_OFFERS"
                )
            }
            free.subtract(resource)
            reserved.subtract(resource)
        }
        record.reserved = Array(reserved)
        agents[agentID] = record
        touch(.agent(agentID))
        changes.append(.agentUpdated(record))
        return .ok
    }
}
