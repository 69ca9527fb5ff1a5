import CorralModel

extension LeaderStateMachine {
    /// The allocator `scheduling` asks for.
    package static func makeAllocator(_ scheduling: SchedulingConfig) -> any Allocator {
        let policy: AllocationPolicy =
            scheduling.policy == "priority" ? .strictPriority(scheduling.priorities) : .dominantResourceFairness
        return CorralMaster.makeAllocator(
            AllocatorConfiguration(
                policy: policy, offerTimeoutMillis: scheduling.offerTimeoutSeconds.map { UInt64($0 * 1000) }))
    }

    /// A task ended: what it held goes back to the allocator, which allocates again.
    mutating func release(_ key: TaskKey, now: Instant) {
        guard let charge = charges.removeValue(forKey: key) else { return }
        allocator.recover(
            framework: charge.framework.value,
            role: charge.role,
            agent: charge.agent.value,
            resources: charge.quantities
        )
        _ = step(.allocationWanted, now: now)
    }

    /// Charges a committed launch's tasks; the first also carries `executorsCost`, what the
    /// executors the launch starts hold (given back with that task: early, never late).
    mutating func charge(
        _ tasks: [TaskInfo],
        executorsCost: ResourceQuantities,
        framework: FrameworkID,
        agent: AgentID,
        role: String
    ) {
        for (index, task) in tasks.enumerated() {
            var quantities = ResourceMapping.quantities(Resources(task.resources))
            if index == 0 { quantities += executorsCost }
            charges[TaskKey(framework, task.taskID)] = Charge(
                agent: agent,
                framework: framework,
                role: role,
                quantities: quantities
            )
        }
    }

    /// Puts a connected agent in the allocator with what the registry's live tasks hold on it
    /// (charged to them); returns the offers its earlier place in the allocator had out, now
    /// rescinded.
    mutating func addAgent(_ id: AgentID, registry: Registry) -> [OfferDecision] {
        let rescinded = allocator.removeAgent(id.value)
        // A deactivated agent stays out of the allocator: nothing on it is offered.
        guard let agent = registry.agents[id], !agent.deactivated else { return rescinded }
        var used: [UsedResources] = []
        for task in registry.tasks(onAgent: id) where !task.isTerminal {
            let quantities = ResourceMapping.quantities(task.resources)
            charges[task.key] = Charge(
                agent: id,
                framework: task.key.frameworkID,
                role: task.role,
                quantities: quantities
            )
            used.append(
                UsedResources(framework: task.key.frameworkID.value, role: task.role, resources: quantities)
            )
        }
        allocator.addAgent(id.value, total: ResourceMapping.quantities(agent.total), used: used)
        applyOfferConstraints(toAgent: agent.info)
        return rescinded
    }

    /// Takes an agent and its tasks' charges out of the allocator; returns its offers, now
    /// rescinded.
    mutating func removeAgent(_ id: AgentID) -> [OfferDecision] {
        charges = charges.filter { $0.value.agent != id }
        return allocator.removeAgent(id.value)
    }

    /// A removed framework leaves the allocator with its charges and offers.
    mutating func removeFramework(_ id: FrameworkID) {
        offerConstraints[id] = nil
        charges = charges.filter { $0.value.framework != id }
        removeOffers { $0.frameworkID == id }
        allocator.removeFramework(id.value)
    }

    /// The kills a draining agent's live tasks get (again after a fail-over or the agent's
    /// return): each task's kill policy, its grace period capped by the drain's.
    mutating func drainKills(_ id: AgentID, in context: LeaderContext) -> [Action] {
        guard let drain = context.registry.agents[id]?.drain, drain.state == .draining else { return [] }
        let live = context.registry.tasks(onAgent: id).filter { !$0.isTerminal }.sorted { "\($0.key)" < "\($1.key)" }
        return live.flatMap { task -> [Action] in
            var grace = task.info.killPolicy?.gracePeriod
            if let cap = drain.maxGraceNanos { grace = DurationInfo(nanoseconds: min(grace?.nanoseconds ?? cap, cap)) }
            return kill(task.key, policy: grace.map { KillPolicy(gracePeriod: $0) }, in: context)
        }
    }
}
