import CorralModel

extension LeaderStateMachine {
    /// Turns the allocator's decisions into Mesos offers. Each is carved from what its agent has
    /// left: its total less what the registry's live tasks and executors hold and what the
    /// outstanding offers and this cycle's earlier offers name, so no two outstanding offers
    /// name the same resources and none names resources in use. Decisions for an agent the
    /// registry does not have, or for a framework whose scheduler is not connected, come back
    /// to be declined. Offer IDs are `<term>-O<allocator's number>`, unique across leaders.
    static func makeOffers(
        _ decisions: [OfferDecision], term: UInt64, registry: Registry, connected: Set<FrameworkID>,
        outstanding: some Sequence<LiveOffer>
    ) -> (made: [LiveOffer], declined: [OfferDecision]) {
        var offered: [AgentID: Resources] = [:]
        for offer in outstanding { offered[offer.agentID, default: Resources()] += offer.resources.unallocated }
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
            var available = left[agentID]
                ?? agent.total.unallocated - registry.allocated(onAgent: agentID) - (offered[agentID] ?? Resources())
            let resources = ResourceMapping.carve(decision.resources, from: available, role: decision.role)
            available -= resources.unallocated
            left[agentID] = available
            let offer = Offer(
                id: MesosOfferID("\(term)-O\(decision.offerID)"), frameworkID: frameworkID, agentID: agentID,
                hostname: agent.info.hostname, resources: Array(resources), attributes: agent.info.attributes,
                allocationInfo: Resource.AllocationInfo(role: decision.role))
            made.append(LiveOffer(decision: decision, offer: offer))
        }
        return (made, declined)
    }
}
