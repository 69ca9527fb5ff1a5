import CorralModel

// MARK: - Dynamic reservations: RESERVE and UNRESERVE

extension Registry {
    /// Reserves `resources` on the agent, all or none: each must carry a dynamic reservation
    /// on top of its stack, and what it was before that reservation must be free there (not
    /// held by a live task or executor, nor reserved already).
    mutating func reserve(_ resources: [Resource], on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        reshape(resources, on: agentID, name: "RESERVE", changes: &changes) { resource, free, record in
            guard let source = resource.beforeDynamicReservation else {
                return RegistryOutcome(
                    error: "\(Resources([resource])) does not carry a dynamic reservation on top of its stack"
                )
            }
            guard free.contains(source) else {
                return Self.notFree(
                    "agent \(agentID) has not got \(Resources([source])) free to reserve (free: \(free))"
                )
            }
            free.subtract(source)
            free.add(resource)
            record.reserved = Array(Resources(record.reserved) + Resources([resource]))
            return nil
        }
    }

    /// Unreserves `resources` on the agent, all or none: each must be dynamically reserved
    /// there and free (no live task or executor holds it).
    mutating func unreserve(_ resources: [Resource], on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        reshape(resources, on: agentID, name: "UNRESERVE", changes: &changes) { resource, free, record in
            guard resource.beforeDynamicReservation != nil, Resources(record.reserved).contains(resource) else {
                return RegistryOutcome(
                    error: "\(Resources([resource])) is not dynamically reserved on agent \(agentID)"
                )
            }
            guard free.contains(resource) else {
                return Self.notFree(
                    "\(Resources([resource])) on agent \(agentID) is in use by a task, an executor or a persistent volume (free: \(free))"
                )
            }
            free.subtract(resource)
            record.reserved = Array(Resources(record.reserved) - Resources([resource]))
            return nil
        }
    }

    /// Applies `step` to each resource with what is free on the agent and a copy of its
    /// record; stores the new record only when every step passed, or answers the first
    /// refusal. (Reservations and volumes both change an agent's shape this way.)
    mutating func reshape(
        _ resources: [Resource],
        on agentID: AgentID,
        name: String,
        changes: inout [RegistryChange],
        _ step: (Resource, inout Resources, inout AgentRecord) -> RegistryOutcome?
    ) -> RegistryOutcome {
        guard var record = agents[agentID], record.isActive else {
            return RegistryOutcome(
                error: "agent \(agentID) is not registered and active",
                reason: "REASON_AGENT_UNKNOWN"
            )
        }
        guard !resources.isEmpty else { return RegistryOutcome(error: "the \(name) names no resources") }
        var free = record.total.unallocated - allocated(onAgent: agentID)
        for resource in Resources(resources).unallocated.map(\.refined) {
            if let refusal = step(resource, &free, &record) { return refusal }
        }
        agents[agentID] = record
        touch(.agent(agentID))
        changes.append(.agentUpdated(record))
        return .ok
    }

    /// A refusal because the resources are not free: the operator API answers it 409.
    static func notFree(_ message: String) -> RegistryOutcome {
        RegistryOutcome(error: message, reason: "REASON_INVALID_OFFERS")
    }
}
