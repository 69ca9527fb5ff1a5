// MARK: - Offers, tasks and filters

extension HierarchicalAllocator {
    @discardableResult
    public mutating func accept(
        offer id: OfferID, launched: ResourceQuantities, refuseSeconds: Double, nowMillis: UInt64
    ) -> Bool {
        guard offers[id] != nil else { return false }
        // Kinds first seen here are registered before the offer is taken out, so that its
        // resources are widened with every other vector.
        var used = vector(launched)
        guard let offer = removeOffer(id) else { return false }
        used.formMin(offer.resources)
        var unused = offer.resources
        unused.subtract(used)
        // The launched part stays charged to the client: it moves from offered to used.
        agentQuantities.subtract(offer.resources, from: .offered, of: offer.agent)
        agentQuantities.add(used, to: .used, of: offer.agent)
        agents[offer.agent].usedByClient[offer.client, default: ResourceVector(count: kinds.count)].add(used)
        clients[offer.client].usedAgents.insert(offer.agent)
        discharge(client: offer.client, unused)
        installFilter(client: offer.client, agent: offer.agent, resources: unused, refuseSeconds: refuseSeconds, nowMillis: nowMillis)
        return true
    }

    @discardableResult
    public mutating func decline(offer id: OfferID, refuseSeconds: Double, nowMillis: UInt64) -> Bool {
        guard let offer = removeOffer(id) else { return false }
        agentQuantities.subtract(offer.resources, from: .offered, of: offer.agent)
        discharge(client: offer.client, offer.resources)
        installFilter(
            client: offer.client, agent: offer.agent, resources: offer.resources, refuseSeconds: refuseSeconds,
            nowMillis: nowMillis)
        return true
    }

    @discardableResult
    public mutating func decline(
        framework: String, role: String, agent: String, resources: ResourceQuantities, refuseSeconds: Double,
        nowMillis: UInt64
    ) -> Bool {
        guard let agentIndex = agentIndex[agent], let frameworkIndex = frameworkIndex[framework],
            let roleIndex = roleIndex[role], let client = frameworks[frameworkIndex].clients[roleIndex]
        else { return false }
        var remaining = vector(resources)
        var declined = ResourceVector(count: kinds.count)
        let held = agents[agentIndex].offerIDs.sorted().filter { offers[$0]?.client == client }
        guard !held.isEmpty else { return false }
        for id in held {
            guard var offer = offers[id], !remaining.isZero else { break }
            var taken = remaining
            taken.formMin(offer.resources)
            remaining.subtract(taken)
            declined.add(taken)
            offer.resources.subtract(taken)
            if offer.resources.isZero { _ = removeOffer(id) } else { offers[id] = offer }
        }
        agentQuantities.subtract(declined, from: .offered, of: agentIndex)
        discharge(client: client, declined)
        installFilter(client: client, agent: agentIndex, resources: declined, refuseSeconds: refuseSeconds, nowMillis: nowMillis)
        return true
    }

    @discardableResult
    public mutating func taskLaunched(
        framework: String, role: String, agent: String, resources: ResourceQuantities
    ) -> [OfferDecision] {
        guard let index = agentIndex[agent] else { return [] }
        addUsed(framework: framework, role: role, agent: index, resources: resources)
        return rescindIfOverCommitted(agent: index)
    }

    /// Rescinds every offer on the agent if used and offered no longer fit in its total.
    mutating func rescindIfOverCommitted(agent: Int) -> [OfferDecision] {
        guard !agentQuantities.fitsInTotal(agent: agent) else { return [] }
        return agents[agent].offerIDs.sorted().compactMap { rescind($0) }
    }

    @discardableResult
    public mutating func recover(framework: String, role: String, agent: String, resources: ResourceQuantities) -> Bool {
        guard let agentIndex = agentIndex[agent], let frameworkIndex = frameworkIndex[framework],
            let roleIndex = roleIndex[role], let client = frameworks[frameworkIndex].clients[roleIndex],
            agents[agentIndex].usedByClient[client] != nil
        else { return false }
        // Registered before what the client holds is read, so that it is widened too.
        var amount = vector(resources)
        guard var held = agents[agentIndex].usedByClient[client] else { return false }
        amount.formMin(held)
        held.subtract(amount)
        agentQuantities.subtract(amount, from: .used, of: agentIndex)
        if held.isZero {
            agents[agentIndex].usedByClient[client] = nil
            clients[client].usedAgents.remove(agentIndex)
        } else {
            agents[agentIndex].usedByClient[client] = held
        }
        discharge(client: client, amount)
        return true
    }

    public mutating func expireOffers(nowMillis: UInt64) -> [OfferDecision] {
        guard let timeout = configuration.offerTimeoutMillis else { return [] }
        var rescinded: [OfferDecision] = []
        while offerQueueHead < offerQueue.count {
            let id = offerQueue[offerQueueHead]
            if let offer = offers[id] {
                guard offer.offeredAtMillis &+ timeout <= nowMillis else { break }
                if let decision = rescind(id) { rescinded.append(decision) }
            }
            offerQueueHead += 1
        }
        compactOfferQueue()
        return rescinded
    }

    public var outstandingOffers: [OfferDecision] {
        offers.keys.sorted().compactMap { id in offers[id].map { decision(id, $0) } }
    }

    // MARK: - Helpers

    /// Takes an offer back without a filter and returns it; its resources are recovered.
    mutating func rescind(_ id: OfferID) -> OfferDecision? {
        guard let offer = removeOffer(id) else { return nil }
        agentQuantities.subtract(offer.resources, from: .offered, of: offer.agent)
        discharge(client: offer.client, offer.resources)
        return decision(id, offer)
    }

    /// Forgets an offer (its resources still count as offered and charged).
    mutating func removeOffer(_ id: OfferID) -> OutstandingOffer? {
        guard let offer = offers.removeValue(forKey: id) else { return nil }
        agents[offer.agent].offerIDs.remove(id)
        // Its vector is reused by a later offer once the caller is done with it (a value
        // type: should anyone still hold it, the next write copies it as usual).
        if spareVectors.count < Self.spareVectorLimit { spareVectors.append(offer.resources) }
        return offer
    }

    /// The public form of an outstanding offer.
    func decision(_ id: OfferID, _ offer: OutstandingOffer) -> OfferDecision {
        decision(id, offer, resources: kinds.quantities(offer.resources))
    }

    /// The public form of a new offer, its quantities taken from `quantitiesMemo` when an
    /// offer made lately held the same.
    mutating func newDecision(_ id: OfferID, _ offer: OutstandingOffer) -> OfferDecision {
        guard usesFastPaths else { return decision(id, offer) }
        let hash = QuantitiesMemo.hash(offer.resources)
        if let known = quantitiesMemo.quantities(of: offer.resources, hash: hash) {
            return decision(id, offer, resources: known)
        }
        let made = kinds.quantities(offer.resources)
        quantitiesMemo.remember(made, of: offer.resources, hash: hash)
        return decision(id, offer, resources: made)
    }

    private func decision(_ id: OfferID, _ offer: OutstandingOffer, resources: ResourceQuantities) -> OfferDecision {
        // Field by field: copying a whole slot would retain and release its collections.
        let (framework, role) = (clients[offer.client].framework, clients[offer.client].role)
        return OfferDecision(
            offerID: id, framework: frameworks[framework].id, role: roles[role].name,
            agent: agents[offer.agent].id, resources: resources, offeredAtMillis: offer.offeredAtMillis)
    }

    /// Filters `resources` on the agent for the client, unless `refuseSeconds` is not positive.
    mutating func installFilter(
        client: Int, agent: Int, resources: ResourceVector, refuseSeconds: Double, nowMillis: UInt64
    ) {
        guard refuseSeconds > 0, !resources.isZero else { return }
        let millis = refuseSeconds * 1000
        let duration = millis >= Double(UInt64.max / 2) ? UInt64.max / 2 : UInt64(millis.rounded(.up))
        clients[client].filteredAgents.insert(agent)
        let (filter, overflow) = OfferFilter.make(
            agentGeneration: agents[agent].generation, resources: resources, expiresAtMillis: nowMillis &+ duration)
        refuseFilters.set(filter, overflow: overflow, agent: agent, client: client, nowMillis: nowMillis)
    }

    /// Drops answered ids from the front of the expiry queue once it is mostly dead.
    private mutating func compactOfferQueue() {
        if offerQueueHead > 1024 && offerQueueHead * 2 > offerQueue.count {
            offerQueue.removeFirst(offerQueueHead)
            offerQueueHead = 0
        }
    }
}
