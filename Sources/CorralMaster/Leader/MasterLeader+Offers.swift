import CorralModel

extension MasterLeader {
    /// Runs an allocation cycle and sends the offers it makes.
    func allocate() {
        guard let term else { return }
        step(.allocated)
        let (made, declined) = core.offer(core.allocator.allocate(nowMillis: nowMillis()), term: term, registry: machine.registry)
        for decision in declined { core.allocator.decline(offer: decision.offerID, refuseSeconds: 0, nowMillis: nowMillis()) }
        var byFramework: [FrameworkID: [Offer]] = [:]
        for live in made { byFramework[live.frameworkID, default: []].append(live.offer) }
        for (frameworkID, made) in byFramework {
            var event = SchedulerEvent(type: .offers)
            event.offers = SchedulerEvent.Offers(offers: made)
            send(event, to: frameworkID)
        }
    }

    /// Takes rescinded offers out of the book and tells their frameworks.
    func rescind(_ decisions: [OfferDecision]) {
        guard !decisions.isEmpty else { return }
        let rescinded = Set(decisions.map(\.offerID))
        for offer in core.removeOffers(where: { rescinded.contains($0.decision.offerID) }) {
            var event = SchedulerEvent(type: .rescind)
            event.rescind = SchedulerEvent.Rescind(offerID: offer.offer.id)
            send(event, to: offer.frameworkID)
        }
    }

    func applyQuota(_ quota: QuotaRecord) {
        core.allocator.setQuota(
            role: quota.role, guarantee: ResourceQuantities(quota.guarantees),
            limit: quota.limits.isEmpty ? nil : ResourceQuantities(quota.limits))
    }

    // MARK: - Timers and agent liveness

    /// Runs every few tens of milliseconds: what `core` finds due (allocation, offer
    /// timeouts, heartbeats, update retries, agent timeouts, the replicated clock).
    func housekeeping() {
        step(.tick)
    }

    /// Feeds `core` an input at the current time and carries out what it decides.
    func step(_ input: LeaderStateMachine.Input) {
        for effect in core.step(input, now: clock.now) { carryOut(effect) }
    }

    func carryOut(_ effect: LeaderStateMachine.Effect) {
        switch effect {
        case .allocate:
            rescind(core.allocator.expireOffers(nowMillis: nowMillis()))
            allocate()
        case .heartbeatSchedulers:
            for id in core.schedulers.keys { send(SchedulerEvent(type: .heartbeat), to: id) }
            for (_, stream) in operators { stream.yield(RecordIO.encode(Self.operatorHeartbeat)) }
        case .heartbeatAgents:
            for id in agentStreams.keys { send(agentEvent(.heartbeat), toAgent: id) }
        case .retryUpdates:
            retryPendingUpdates()
        case .checkClockDeadlines:
            let earliest = machine.withRegistry { registry in
                registry.frameworks.values.compactMap { record -> UInt64? in
                    if case .disconnected(_, let deadline) = record.state { deadline } else { nil }
                }.min()
            }
            let reading = nowNanos()
            if let earliest, reading >= earliest {
                step(.clockTicked)
                propose(.tick(atNanos: reading))
            }
        case .dropAgent(let id, _, let silent):
            if silent { logger.notice("agent missed its heartbeats; marking it unreachable", metadata: ["agent": "\(id)"]) }
            agentStreams.removeValue(forKey: id)?.finish()
            if term != nil { rescind(core.removeAgent(id)) }
        case .proposeUnreachable(let id):
            propose(.agentUnreachable(id: id, atNanos: nowNanos()))
        case .sendUpdate(let id, let status):
            var event = SchedulerEvent(type: .update)
            event.update = SchedulerEvent.Update(status: status)
            send(event, to: id)
        case .dropScheduler(let id, _):
            schedulerDropped(id)
        case .resubscribeFramework(let info):
            propose(.subscribeFramework(info: info, atNanos: nowNanos()))
        case .removeFramework(let id, let killed):
            frameworkRemoved(id, killed: killed)
        case .dropDeactivatedAgent(let id, let gone):
            dropDeactivatedAgent(id, gone: gone)
        case .sendAgentLost(let framework, let agent):
            var failure = SchedulerEvent(type: .failure)
            failure.failure = SchedulerEvent.Failure(agentID: agent)
            send(failure, to: framework)
        case .updateAgentTotal(let id, let total):
            rescind(core.allocator.updateAgent(id.value, total: ResourceMapping.quantities(total)))
        case .refreshQuotas:
            refreshQuotas()
        case .refreshWeights:
            for (role, weight) in machine.registry.weights { core.allocator.setWeight(weight, role: role) }
        }
    }

    static let operatorHeartbeat: [UInt8] = Array(#"{"type":"HEARTBEAT"}"#.utf8)
}
