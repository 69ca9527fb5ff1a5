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

    /// Carries out what `core.registryChanged` decided.
    func carryOutChange(_ effect: LeaderStateMachine.Effect) {
        switch effect {
        case .resubscribeFramework(let info):
            propose(.subscribeFramework(info: info, atNanos: nowNanos()))
        case .removeFramework(let id, let killed):
            frameworkRemoved(id, killed: killed)
        case .dropDeactivatedAgent(let id, let gone):
            if let stream = agentStreams.removeValue(forKey: id) {
                if gone {
                    var event = agentEvent(.error)
                    event.error = SchedulerEvent.ErrorPayload(message: "this agent was marked gone by an operator")
                    stream.yield(Self.record(event))
                }
                stream.finish()
            }
            rescind(core.removeAgent(id))
        case .sendAgentLost(let framework, let agent):
            var failure = SchedulerEvent(type: .failure)
            failure.failure = SchedulerEvent.Failure(agentID: agent)
            send(failure, to: framework)
        case .updateAgentTotal(let id, let total):
            rescind(core.allocator.updateAgent(id.value, total: ResourceMapping.quantities(total)))
        case .refreshQuotas:
            let quotas = machine.registry.quotas
            for role in core.quotaRoles.subtracting(quotas.keys) {
                core.allocator.setQuota(role: role, guarantee: ResourceQuantities(), limit: nil)
            }
            for quota in quotas.values { applyQuota(quota) }
            core.quotaRoles = Set(quotas.keys)
        case .refreshWeights:
            for (role, weight) in machine.registry.weights { core.allocator.setWeight(weight, role: role) }
        default:
            // The timers', agents' and schedulers' effects: `carryOut` handles them itself.
            carryOut(effect)
        }
    }

    private func frameworkRemoved(_ id: FrameworkID, killed: [TaskRecord]) {
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
