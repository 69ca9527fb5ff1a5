import CorralModel

extension MasterLeader {
    /// Acts on what the registry applied: forwards updates, frees resources, kills the tasks
    /// of removed frameworks, and keeps the allocator's agents, quota and weights in step.
    func registryChanged(_ batch: [RegistryChange]) {
        for change in batch { publish(change) }
        for change in batch {
            for effect in core.registryChanged(change, now: clock.now) { carryOut(effect) }
        }
    }

    /// The registry no longer counts the agent active: its stream closes (with an error if an
    /// operator marked it gone) and it leaves the allocator.
    func dropDeactivatedAgent(_ id: AgentID, gone: Bool) {
        if let stream = agentStreams.removeValue(forKey: id) {
            if gone {
                var event = agentEvent(.error)
                event.error = SchedulerEvent.ErrorPayload(message: "this agent was marked gone by an operator")
                stream.yield(Self.record(event))
            }
            stream.finish()
        }
        rescind(core.removeAgent(id))
    }

    /// Sets the allocator's quotas from the registry again, clearing roles that lost theirs.
    func refreshQuotas() {
        let quotas = machine.registry.quotas
        for role in core.quotaRoles.subtracting(quotas.keys) {
            core.allocator.setQuota(role: role, guarantee: ResourceQuantities(), limit: nil)
        }
        for quota in quotas.values { applyQuota(quota) }
        core.quotaRoles = Set(quotas.keys)
    }

    func frameworkRemoved(_ id: FrameworkID, killed: [TaskRecord]) {
        for agentID in Set(killed.map(\.agentID)) {
            var event = agentEvent(.shutdownFramework)
            event.shutdownFramework = AgentEvent.ShutdownFramework(frameworkID: id)
            send(event, toAgent: agentID)
        }
        core.removeFramework(id)
        if let stream = schedulerStreams.removeValue(forKey: id) {
            var event = SchedulerEvent(type: .error)
            event.error = SchedulerEvent.ErrorPayload(message: "Framework has been removed")
            stream.yield(Self.record(event))
            stream.finish()
        }
        logger.info("framework removed", metadata: ["framework": "\(id)", "killed_tasks": "\(killed.count)"])
    }
}
