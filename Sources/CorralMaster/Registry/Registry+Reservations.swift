import CorralModel

// MARK: - Dynamic reservations: RESERVE and UNRESERVE

extension Registry {
    /// Reserves `resources` on the agent, all or none: each must carry a dynamic reservation
    /// on top of its stack, and what it was before that reservation must be free there (not
    /// held by a live task or executor, nor reserved already).
    mutating func reserve(_ resources: [Resource], on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        reshape(resources, on: agentID, name: "RESERVE", changes: &changes) { resource, free, reserved in
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
            reserved.add(resource)
            return nil
        }
    }

    /// Unreserves `resources` on the agent, all or none: each must be dynamically reserved
    /// there and free (no live task or executor holds it).
    mutating func unreserve(_ resources: [Resource], on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        reshape(resources, on: agentID, name: "UNRESERVE", changes: &changes) { resource, free, reserved in
            guard resource.beforeDynamicReservation != nil, reserved.contains(resource) else {
                return RegistryOutcome(
                    error: "\(Resources([resource])) is not dynamically reserved on agent \(agentID)"
                )
            }
            guard free.contains(resource) else {
                return Self.notFree(
                    "\(Resources([resource])) on agent \(agentID) is in use by a task or executor (free: \(free))"
                )
            }
            free.subtract(resource)
            reserved.subtract(resource)
            return nil
        }
    }

    /// Applies `step` to each resource with what is free on the agent and what is reserved
    /// there; stores the new reservations only when every step passed, or answers the first
    /// refusal.
    private mutating func reshape(
        _ resources: [Resource],
        on agentID: AgentID,
        name: String,
        changes: inout [RegistryChange],
        _ step: (Resource, inout Resources, inout Resources) -> RegistryOutcome?
    ) -> RegistryOutcome {
        guard var record = agents[agentID], record.isActive else {
            return RegistryOutcome(
                error: "agent \(agentID) is not registered and active",
                reason: "REASON_AGENT_UNKNOWN"
            )
        }
        guard !resources.isEmpty else { return RegistryOutcome(error: "the \(name) names no resources") }
        var free = record.total.unallocated - allocated(onAgent: agentID)
        var reserved = Resources(record.reserved)
        for resource in Resources(resources).unallocated.map(\.refined) {
            if let refusal = step(resource, &free, &reserved) { return refusal }
        }
        record.reserved = Array(reserved)
        agents[agentID] = record
        touch(.agent(agentID))
        changes.append(.agentUpdated(record))
        return .ok
    }

    /// A refusal because the resources are not free: the operator API answers it 409.
    private static func notFree(_ message: String) -> RegistryOutcome {
        RegistryOutcome(error: message, reason: "REASON_INVALID_OFFERS")
    }
}
