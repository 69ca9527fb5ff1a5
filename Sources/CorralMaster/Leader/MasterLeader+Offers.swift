import CorralModel

extension MasterLeader {
    /// Runs an allocation cycle and sends the offers it makes.
    func allocate() {
        guard let term else { return }
        step(.allocated)
        let decisions = allocator.allocate(nowMillis: nowMillis())
        var byFramework: [FrameworkID: [Offer]] = [:]
        let registry = machine.registry
        for decision in decisions {
            let agentID = AgentID(decision.agent)
            let frameworkID = FrameworkID(decision.framework)
            guard let agent = registry.agents[agentID], core.schedulers[frameworkID] != nil else {
                allocator.decline(offer: decision.offerID, refuseSeconds: 0, nowMillis: nowMillis())
                continue
            }
            let available = agent.total.unallocated - registry.allocated(onAgent: agentID) - offered(onAgent: agentID)
            let resources = ResourceMapping.carve(decision.resources, from: available, role: decision.role)
            let offer = Offer(
                id: MesosOfferID("\(term)-O\(decision.offerID)"), frameworkID: frameworkID, agentID: agentID,
                hostname: agent.info.hostname, resources: Array(resources), attributes: agent.info.attributes,
                allocationInfo: Resource.AllocationInfo(role: decision.role))
            offers[offer.id] = LiveOffer(decision: decision, offer: offer)
            byFramework[frameworkID, default: []].append(offer)
        }
        for (frameworkID, made) in byFramework {
            var event = SchedulerEvent(type: .offers)
            event.offers = SchedulerEvent.Offers(offers: made)
            send(event, to: frameworkID)
        }
    }

    /// The Mesos resources outstanding offers hold on an agent.
    func offered(onAgent id: AgentID) -> Resources {
        var total = Resources()
        for offer in offers.values where offer.agentID == id { total += offer.resources.unallocated }
        return total
    }

    /// Takes rescinded offers out of the book and tells their frameworks.
    func rescind(_ decisions: [OfferDecision]) {
        let rescinded = Set(decisions.map(\.offerID))
        for (id, offer) in offers where rescinded.contains(offer.decision.offerID) {
            offers.removeValue(forKey: id)
            var event = SchedulerEvent(type: .rescind)
            event.rescind = SchedulerEvent.Rescind(offerID: id)
            send(event, to: offer.frameworkID)
        }
    }

    /// Drops a framework's offers on an agent from the book (the allocator already forgot them).
    func forgetOffers(where matches: (LiveOffer) -> Bool) {
        for (id, offer) in offers where matches(offer) { offers.removeValue(forKey: id) }
    }

    func applyQuota(_ quota: QuotaRecord) {
        allocator.setQuota(
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

    private func carryOut(_ effect: LeaderStateMachine.Effect) {
        switch effect {
        case .allocate:
            rescind(allocator.expireOffers(nowMillis: nowMillis()))
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
            if term != nil { removeFromAllocator(id) }
        case .proposeUnreachable(let id):
            propose(.agentUnreachable(id: id, atNanos: nowNanos()))
        case .sendUpdate(let id, let status):
            var event = SchedulerEvent(type: .update)
            event.update = SchedulerEvent.Update(status: status)
            send(event, to: id)
        case .dropScheduler(let id, _):
            schedulerDropped(id)
        }
    }

    static let operatorHeartbeat: [UInt8] = Array(#"{"type":"HEARTBEAT"}"#.utf8)
}
