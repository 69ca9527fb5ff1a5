import CorralModel

extension MasterLeader {
    /// Acts on what the registry applied: forwards updates, frees resources, kills the tasks
    /// of removed frameworks, and keeps the allocator's agents, quota and weights in step.
    func registryChanged(_ batch: [RegistryChange]) {
        for change in batch { publish(change) }
        guard term != nil else { return }
        for change in batch {
            switch change {
            case .taskUpdated(let task):
                if task.isTerminal { release(task.key) }
                step(.taskChanged(task, resend: false))
            case .taskCompleted(let task):
                release(task.key)
                step(.taskReleased(task.key))
            case .frameworkUpdated(let record):
                // A disconnect proposed just before the scheduler came back must not stand.
                if case .disconnected = record.state, core.schedulers[record.id] != nil {
                    propose(.subscribeFramework(info: record.info, atNanos: nowNanos()))
                }
            case .frameworkRemoved(let record, let killed):
                frameworkRemoved(record.id, killed: killed)
            case .agentUpdated(let record):
                if !record.isActive {
                    if let stream = agentStreams.removeValue(forKey: record.id) {
                        if case .gone = record.state {
                            var event = agentEvent(.error)
                            event.error = SchedulerEvent.ErrorPayload(message: "this agent was marked gone by an operator")
                            stream.yield(Self.record(event))
                        }
                        stream.finish()
                    }
                    step(.agentDeactivated(record.id))
                    removeFromAllocator(record.id)
                    // Every scheduler hears that the agent is lost, as Mesos's FAILURE says.
                    var failure = SchedulerEvent(type: .failure)
                    failure.failure = SchedulerEvent.Failure(agentID: record.id)
                    for id in core.schedulers.keys { send(failure, to: id) }
                } else if core.agents[record.id] != nil {
                    rescind(allocator.updateAgent(record.id.value, total: ResourceMapping.quantities(record.total)))
                    step(.allocationWanted)
                }
            case .quotaChanged:
                let quotas = machine.registry.quotas
                for role in quotaRoles.subtracting(quotas.keys) {
                    allocator.setQuota(role: role, guarantee: ResourceQuantities(), limit: nil)
                }
                for quota in quotas.values { applyQuota(quota) }
                quotaRoles = Set(quotas.keys)
                step(.allocationWanted)
            case .weightsChanged:
                for (role, weight) in machine.registry.weights { allocator.setWeight(weight, role: role) }
                step(.allocationWanted)
            default:
                break
            }
        }
    }

    /// A task ended: what it held goes back to the allocator.
    private func release(_ key: TaskKey) {
        guard let charge = charges.removeValue(forKey: key) else { return }
        allocator.recover(
            framework: charge.framework.value, role: charge.role, agent: charge.agent.value, resources: charge.quantities)
        step(.allocationWanted)
    }

    private func frameworkRemoved(_ id: FrameworkID, killed: [TaskRecord]) {
        for agentID in Set(killed.map(\.agentID)) {
            var event = agentEvent(.shutdownFramework)
            event.shutdownFramework = AgentEvent.ShutdownFramework(frameworkID: id)
            send(event, toAgent: agentID)
        }
        for (key, charge) in charges where charge.framework == id { charges.removeValue(forKey: key) }
        forgetOffers { $0.frameworkID == id }
        allocator.removeFramework(id.value)
        if let stream = schedulerStreams.removeValue(forKey: id) {
            var event = SchedulerEvent(type: .error)
            event.error = SchedulerEvent.ErrorPayload(message: "Framework has been removed")
            stream.yield(Self.record(event))
            stream.finish()
        }
        step(.frameworkRemoved(id))
        logger.info("framework removed", metadata: ["framework": "\(id)", "killed_tasks": "\(killed.count)"])
    }
}
