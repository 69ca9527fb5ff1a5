// MARK: - The allocation cycle
//
// A cycle walks the agents in id order, twice when some quota guarantee is unmet:
//   1. guarantee stage: only roles below their guarantee (or under an ancestor below its
//      guarantee) are considered;
//   2. fair stage: every role, in policy order, with offers capped so that what stays
//      unallocated still covers the guarantees not yet met (quota headroom).
// For each agent it takes the first role in order, and in it the first framework in DRF
// order, that is subscribed, not suppressed, not yet offered this agent in this cycle,
// allowed the agent by its offer constraints and not filtered for what would be offered; that framework gets everything available on the
// agent (but revocable resources only if it takes them), capped by the quota limits of the role and its ancestors. Then the offered client
// and its role move to their new places in the orders (a binary search each).
//
// Cost per cycle: O(F log F + R log R) to rebuild the orders, then per agent O(K) plus the
// candidates scanned (each a hash lookup of a refuse filter), plus O(log F + F/word) per
// offer to reposition the framework. With every framework declining every offer, the scan
// on an agent passes over at most the frameworks that filtered it.

extension HierarchicalAllocator {
    /// The two passes of a cycle.
    enum Stage { case guarantee, fair }

    public mutating func allocate(nowMillis: UInt64) -> [OfferDecision] {
        if agentOrderIsStale {
            agentOrder = agents.indices.filter { agents[$0].live }.sorted { agents[$0].id < agents[$1].id }
            agentOrderIsStale = false
        }
        prepareOrders()
        guard !roleOrder.isEmpty else { return [] }
        // What no one holds: every charge to a client is also on its agent (used or offered),
        // so the top-level roles' consumption adds up to what the agents hold, without a
        // pass over every agent.
        unallocated.copy(from: clusterTotal)
        for role in roles.indices where roles[role].parent == nil { unallocated.subtract(roles[role].subtreeConsumed) }
        var decisions: [OfferDecision] = []
        // Room for as many offers as the last cycle made, so the list does not regrow.
        decisions.reserveCapacity(lastCycleOfferCount)
        offers.reserveCapacity(adding: lastCycleOfferCount)
        defer { lastCycleOfferCount = decisions.count }
        var scratch = CycleScratch(count: kinds.count)
        if !kinds.reserved.isEmpty {
            scratch.denied = roles.map { role in
                kinds.reserved.filter { !ResourceMapping.mayUse(role.name, reservedFor: $0.role) }.map(\.index)
            }
        }
        scratch.prepareMasks(kinds: kinds, roleCount: roles.count)
        scratch.clientFlags = clients.map { client in
            let framework = frameworks[client.framework]
            var flags: UInt8 = 0
            if client.subscribed && !client.suppressed && framework.registered { flags |= CycleScratch.mayBeOffered }
            if framework.takesRevocable { flags |= CycleScratch.takesRevocable }
            if client.eligibleAgents != nil { flags |= CycleScratch.constrained }
            return flags
        }
        scratch.capped = roles.map { role in role.path.contains { roles[$0].hasLimit } }
        if !kinds.revocable.isEmpty {
            scratch.takesRevocable = roles.indices.map { role in
                roles[role].clientOrder.contains { client in
                    let framework = clients[client].framework
                    return clients[client].subscribed && !clients[client].suppressed && frameworks[framework].registered
                        && frameworks[framework].takesRevocable
                }
            }
        }
        if refreshRequiredHeadroom() {
            for agent in agentOrder {
                allocate(agent: agent, stage: .guarantee, nowMillis: nowMillis, scratch: &scratch, into: &decisions)
                if !scratch.offeredHere.isEmpty { scratch.offeredInGuaranteeStage[agent] = scratch.offeredHere }
            }
        }
        let headroomNeeded = refreshRequiredHeadroom()
        for (position, agent) in agentOrder.enumerated() {
            prefetch(position + Self.prefetchDistance)
            allocate(
                agent: agent, stage: .fair, headroomNeeded: headroomNeeded, nowMillis: nowMillis,
                scratch: &scratch, into: &decisions)
        }
        return decisions
    }

    /// How many agents ahead of the one it scans a cycle asks for the next agents' rows.
    static let prefetchDistance = 2

    /// Starts loading the rows of the agent at `position` in `agentOrder` that its scan will
    /// read: its quantities, its filter lanes and its first filters. A hint: no decision
    /// depends on it.
    private func prefetch(_ position: Int) {
        guard usesFastPaths, position < agentOrder.count else { return }
        let agent = agentOrder[position]
        agentQuantities.prefetch(agent: agent)
        refuseFilters.prefetch(agent: agent, records: 4)
    }

    /// Makes the offers of one agent in one stage.
    private mutating func allocate(
        agent: Int, stage: Stage, headroomNeeded: Bool = false, nowMillis: UInt64,
        scratch: inout CycleScratch, into decisions: inout [OfferDecision]
    ) {
        scratch.offeredHere.removeAll(keepingCapacity: true)
        if stage == .fair, !scratch.offeredInGuaranteeStage.isEmpty, let earlier = scratch.offeredInGuaranteeStage[agent] {
            scratch.offeredHere.append(contentsOf: earlier)
        }
        var offeredBefore = false
        while true {
            // After an offer, `available` was lowered by what it took: the same as recomputing
            // from the agent's vectors, since an offer never holds more of a kind than is available.
            if !offeredBefore || !usesFastPaths {
                agentQuantities.available(of: agent, into: &scratch.available)
            }
            scratch.availableMask = scratch.available.nonZeroMask
            if scratch.availableMask == 0 { return }
            guard let candidate = firstCandidate(
                agent: agent, stage: stage, headroomNeeded: headroomNeeded, nowMillis: nowMillis, scratch: &scratch)
            else { return }
            let role = roleOrder[candidate.rolePosition]
            let client = candidate.client
            decisions.append(makeOffer(client: client, agent: agent, resources: scratch.offerable, nowMillis: nowMillis))
            scratch.available.subtract(scratch.offerable)
            // The offer keeps the scratch vector's storage; an answered offer's takes its place.
            if let spare = spareVectors.popLast(), spare.millis.count == scratch.offerable.millis.count {
                scratch.offerable = spare
            }
            scratch.offeredHere.append(client)
            offeredBefore = true
            clientSortKeys[client].share = clients[client].consumed.dominantShare(of: clusterTotal)
            var ancestor: Int? = role
            while let next = ancestor {
                refreshShare(role: next)
                ancestor = roles[next].parent
            }
            repositionClient(
                role: role, client: client, orderPosition: candidate.inRevocableOrder ? nil : candidate.position,
                revocablePosition: candidate.inRevocableOrder ? candidate.position : nil)
            repositionRole(role, at: candidate.rolePosition)
            if roles[role].hasGuarantee || headroomNeeded { refreshRequiredHeadroom() }
        }
    }

    /// The next client to offer an agent to.
    struct Candidate {
        /// Its role's position in `roleOrder`.
        var rolePosition: Int
        var client: Int
        /// Its position in its role's `clientOrder`, or in its `revocableOrder` if
        /// `inRevocableOrder`.
        var position: Int
        var inRevocableOrder: Bool
    }

    /// The next client to offer the agent to, with what it would be offered left in
    /// `scratch.offerable`. It changes nothing: `mutating` only so that the call passes the
    /// allocator by reference, where a plain method's call from the cycle copied all of it.
    private mutating func firstCandidate(
        agent: Int, stage: Stage, headroomNeeded: Bool, nowMillis: UInt64, scratch: inout CycleScratch
    ) -> Candidate? {
        let generation = agents[agent].generation
        return refuseFilters.withAgent(agent) { filters in
            for rolePosition in roleOrder.indices {
                let role = roleOrder[rolePosition]
                if stage == .guarantee && !roles[role].path.contains(where: { isBelowGuarantee($0) }) { continue }
                // Without caps, what the role would be offered holds exactly the kinds available
                // and not reserved for others: a role with none, or with only revocable ones and
                // no client that takes them, is passed over without touching a vector.
                let allowed = scratch.availableMask & scratch.allowed[role]
                if usesFastPaths && allowed == 0 { continue }
                if usesFastPaths && scratch.exactMasks && !scratch.capped[role] && !(stage == .fair && headroomNeeded)
                    && allowed & scratch.revocableMask != 0 && allowed & ~scratch.revocableMask == 0
                    && !scratch.takesRevocable[role]
                {
                    continue
                }
                scratch.offerable.copy(from: scratch.available)
                // Without caps, the kinds the offerable holds are the bits of `allowed`: the
                // masks answer what passes over the vectors would.
                let byMasks = usesFastPaths && scratch.exactMasks && !scratch.capped[role] && !(stage == .fair && headroomNeeded)
                // Without revocable resources here, every client sees the same offerable.
                let hasRevocable: Bool
                // With revocable ones: whether all it holds is revocable.
                var firmIsZero = false
                if byMasks {
                    scratch.offerable.zero(kinds: scratch.availableMask & ~scratch.allowed[role])
                    CycleScratch.setIndices(
                        of: allowed, from: 4, into: &scratch.nonZeroTail, setFrom: &scratch.nonZeroTailBits)
                    hasRevocable = allowed & scratch.revocableMask != 0
                    if hasRevocable {
                        let firmKinds = allowed & ~scratch.revocableMask
                        firmIsZero = firmKinds == 0
                        if firmIsZero && !scratch.takesRevocable[role] { continue }
                        scratch.firm.copy(from: scratch.offerable)
                        scratch.firm.zero(kinds: allowed & scratch.revocableMask)
                        CycleScratch.setIndices(
                            of: firmKinds, from: 4, into: &scratch.firmNonZeroTail, setFrom: &scratch.firmNonZeroTailBits)
                    }
                } else {
                    if !scratch.denied.isEmpty {
                        for index in scratch.denied[role] { scratch.offerable.millis[index] = 0 }
                    }
                    if scratch.capped[role] || !usesFastPaths { capToLimits(&scratch.offerable, role: role) }
                    if stage == .fair && headroomNeeded { capToHeadroom(&scratch.offerable) }
                    if scratch.offerable.isZero { continue }
                    scratch.nonZeroTail.removeAll(keepingCapacity: true)
                    scratch.nonZeroTailBits = ~0
                    for index in 4..<max(4, scratch.offerable.millis.count) where scratch.offerable.millis[index] > 0 {
                        scratch.nonZeroTail.append(index)
                    }
                    hasRevocable = kinds.revocable.contains { scratch.offerable.millis[$0] > 0 }
                    if hasRevocable {
                        scratch.firm.copy(from: scratch.offerable)
                        for index in kinds.revocable { scratch.firm.millis[index] = 0 }
                        firmIsZero = scratch.firm.isZero
                        if firmIsZero && !scratch.takesRevocable[role] { continue }
                        scratch.firmNonZeroTail.removeAll(keepingCapacity: true)
                        scratch.firmNonZeroTailBits = ~0
                        for index in scratch.nonZeroTail where scratch.firm.millis[index] > 0 {
                            scratch.firmNonZeroTail.append(index)
                        }
                    }
                }
                let head = scratch.offerable.head
                // With only revocable resources left, only the clients that take them are asked.
                let onlyRevocable = hasRevocable && firmIsZero
                let order = onlyRevocable ? roles[role].revocableOrder : roles[role].clientOrder
                for clientPosition in order.indices {
                    let client = order[clientPosition]
                    let found = Candidate(
                        rolePosition: rolePosition, client: client, position: clientPosition, inRevocableOrder: onlyRevocable)
                    // From the cycle's flat table: no slot is read for a client that is passed over.
                    let flags = scratch.clientFlags[client]
                    guard flags & CycleScratch.mayBeOffered != 0, !scratch.offeredHere.contains(client),
                        flags & CycleScratch.constrained == 0
                            || clients[client].eligibleAgents.map({ $0.contains(agents[agent].id) }) ?? true
                    else { continue }
                    if hasRevocable && flags & CycleScratch.takesRevocable == 0 {
                        // Offered the firm resources alone, if there are any.
                        if firmIsZero
                            || filters.blocks(
                                client: client, generation: generation, nowMillis: nowMillis, offerable: scratch.firm,
                                head: scratch.firm.head, nonZeroTail: scratch.firmNonZeroTail)
                        {
                            continue
                        }
                        scratch.offerable.copy(from: scratch.firm)
                        return found
                    }
                    guard
                        !filters.blocks(
                            client: client, generation: generation, nowMillis: nowMillis, offerable: scratch.offerable,
                            head: head, nonZeroTail: scratch.nonZeroTail)
                    else { continue }
                    return found
                }
            }
            return nil
        }
    }

    /// Records an offer of `resources` on the agent to the client.
    private mutating func makeOffer(
        client: Int, agent: Int, resources: ResourceVector, nowMillis: UInt64
    ) -> OfferDecision {
        let id = nextOfferID
        nextOfferID += 1
        let offer = OutstandingOffer(client: client, agent: agent, resources: resources, offeredAtMillis: nowMillis)
        offers[id] = offer
        agents[agent].offerIDs.append(id)
        agentQuantities.add(resources, to: .offered, of: agent)
        unallocated.subtract(resources)
        charge(client: client, resources)
        if configuration.offerTimeoutMillis != nil { offerQueue.append(id) }
        return newDecision(id, offer)
    }
}
