import CorralModel

extension LeaderStateMachine {
    /// What the leader does about one change the registry applied (nothing while it follows):
    /// forwards updates, frees what ended, drops agents the registry no longer counts active,
    /// and keeps the allocator's agents, quota and weights in step.
    mutating func registryChanged(_ change: RegistryChange, now: Instant) -> [Effect] {
        guard leading else { return [] }
        switch change {
        case .taskUpdated(let task):
            if task.isTerminal { release(task.key, now: now) }
            return step(.taskChanged(task, resend: false), now: now)
        case .taskCompleted(let task):
            release(task.key, now: now)
            return step(.taskReleased(task.key), now: now)
        case .frameworkUpdated(let record):
            // A disconnect proposed just before the scheduler came back must not stand.
            if case .disconnected = record.state, schedulers[record.id] != nil {
                return [.resubscribeFramework(record.info)]
            }
            return []
        case .frameworkRemoved(let record, let killed):
            let effects: [Effect] = [.removeFramework(record.id, killed: killed)]
            return effects + step(.frameworkRemoved(record.id), now: now)
        case .agentUpdated(let record):
            if !record.isActive {
                // A down machine's agent that this leader has neither connected nor allocated
                // has nothing to stop and nobody to tell.
                if record.machineDown, agents[record.id] == nil, allocator.allocation(ofAgent: record.id.value) == nil {
                    return []
                }
                var gone = false
                if case .gone = record.state { gone = true }
                _ = step(.agentDeactivated(record.id), now: now)
                // Every scheduler hears that the agent is lost, as Mesos's FAILURE says.
                let told = schedulers.keys.sorted { $0.value < $1.value }.map {
                    Effect.sendAgentLost($0, record.id)
                }
                let drop: Effect = record.machineDown ? .dropDownAgent(record.id) : .dropDeactivatedAgent(record.id, gone: gone)
                return [drop] + told
            }
            guard agents[record.id] != nil else { return [] }
            _ = step(.allocationWanted, now: now)
            return [.updateAgentTotal(record.id, record.total)]
        case .maintenanceChanged:
            // Outstanding offers go back, to be made again with (or without) the machines'
            // unavailability, as Mesos re-sends them when the schedule changes.
            return [.rescindAllOffers]
        case .operationUpdated(let framework, let status):
            return [.sendOperationStatus(framework, status)]
        case .quotaChanged:
            _ = step(.allocationWanted, now: now)
            return [.refreshQuotas]
        case .weightsChanged:
            _ = step(.allocationWanted, now: now)
            return [.refreshWeights]
        default:
            return []
        }
    }
}
