import CorralModel

extension LeaderStateMachine {
    /// Makes offers from the allocator's decisions for the connected schedulers (see
    /// `makeOffers`) and books them.
    mutating func offer(_ decisions: [OfferDecision], term: UInt64, registry: Registry)
        -> (made: [LiveOffer], declined: [OfferDecision])
    {
        let result = Self.makeOffers(
            decisions,
            term: term,
            registry: registry,
            connected: Set(schedulers.keys),
            outstanding: breaks.contains(.offerTwice) ? [] : Array(offers.values)
        )
        for live in result.made { offers[live.offer.id] = live }
        return result
    }

    /// Takes the offers an ACCEPT names out of the book, with a problem when any is not good:
    /// none named, one named twice, unknown or not this framework's (rescinded or used), or
    /// offers on more than one agent or role. The good ones are taken even then: with a
    /// problem, the caller returns them to the allocator.
    mutating func takeOffers(_ ids: [MesosOfferID], of id: FrameworkID) -> (
        taken: [LiveOffer], problem: String?
    ) {
        var taken: [LiveOffer] = []
        var problem: String?
        if ids.isEmpty { problem = "the ACCEPT names no offers" }
        if Set(ids).count != ids.count { problem = "an offer is named twice" }
        for offerID in ids {
            guard let offer = offers[offerID], offer.frameworkID == id else {
                problem =
                    "offer \(offerID) is not outstanding for this framework (unknown, rescinded or already used)"
                continue
            }
            if let first = taken.first,
                first.agentID != offer.agentID || first.decision.role != offer.decision.role
            {
                problem = "the offers span more than one agent or role"
            }
            taken.append(offer)
        }
        for offer in taken { offers.removeValue(forKey: offer.offer.id) }
        return (taken, problem)
    }

    /// Takes every offer on the agent out of the book and back into the allocator, and
    /// tells each framework its offer is rescinded.
    mutating func rescindOffers(onAgent id: AgentID, in context: LeaderContext) -> [Action] {
        rescindOffers(in: context) { $0.agentID == id }
    }

    /// Takes the offers that match back: to the allocator unfiltered, and a RESCIND to each
    /// offer's scheduler.
    mutating func rescindOffers(in context: LeaderContext, where matches: (LiveOffer) -> Bool) -> [Action] {
        let removed = removeOffers(where: matches)
        for offer in removed {
            allocator.decline(offer: offer.decision.offerID, refuseSeconds: 0, nowMillis: millis(context.now))
        }
        return Self.rescindEvents(removed)
    }

    /// A RESCIND to the scheduler of each offer.
    static func rescindEvents(_ offers: [LiveOffer]) -> [Action] {
        offers.map { offer in
            var event = SchedulerEvent(type: .rescind)
            event.rescind = SchedulerEvent.Rescind(offerID: offer.offer.id)
            return .toScheduler(offer.frameworkID, event)
        }
    }

    /// Takes the offers that match out of the book and returns them, by offer ID.
    @discardableResult
    mutating func removeOffers(where matches: (LiveOffer) -> Bool) -> [LiveOffer] {
        let removed = offers.values.filter(matches).sorted { $0.offer.id < $1.offer.id }
        for offer in removed { offers.removeValue(forKey: offer.offer.id) }
        return removed
    }

    /// Turns the allocator's decisions into Mesos offers. Each is carved from what its agent has
    /// left: its total less what the registry's live tasks and executors hold and what the
    /// outstanding offers and this cycle's earlier offers name, so no two outstanding offers
    /// name the same resources and none names resources in use. Decisions for an agent the
    /// registry does not have, or for a framework whose scheduler is not connected, come back
    /// to be declined. Offer IDs are `<term>-O<allocator's number>`, unique across leaders.
    static func makeOffers(
        _ decisions: [OfferDecision],
        term: UInt64,
        registry: Registry,
        connected: Set<FrameworkID>,
        outstanding: some Sequence<LiveOffer>
    ) -> (made: [LiveOffer], declined: [OfferDecision]) {
        var offered: [AgentID: Resources] = [:]
        for offer in outstanding {
            offered[offer.agentID, default: Resources()] += offer.resources.unallocated
        }
        var left: [AgentID: Resources] = [:]
        var made: [LiveOffer] = []
        var declined: [OfferDecision] = []
        for decision in decisions {
            let agentID = AgentID(decision.agent)
            let frameworkID = FrameworkID(decision.framework)
            guard let agent = registry.agents[agentID], connected.contains(frameworkID) else {
                declined.append(decision)
                continue
            }
            var available =
                left[agentID]
                ?? agent.total.unallocated - registry.allocated(onAgent: agentID)
                - (offered[agentID] ?? Resources())
            let resources = ResourceMapping.carve(decision.resources, from: available, role: decision.role)
            available -= resources.unallocated
            left[agentID] = available
            var offer = Offer(
                id: MesosOfferID("\(term)-O\(decision.offerID)"),
                frameworkID: frameworkID,
                agentID: agentID,
                hostname: agent.info.hostname,
                resources: Array(resources),
                attributes: agent.info.attributes,
                allocationInfo: Resource.AllocationInfo(role: decision.role)
            )
            // A draining machine's offers say when it will be unavailable, as Mesos's do.
            if !registry.maintenance.windows.isEmpty {
                offer.unavailability = registry.maintenance.unavailability(of: agent.machine)
            }
            made.append(LiveOffer(decision: decision, offer: offer))
        }
        return (made, declined)
    }
}
