/// The allocator state machine behind `makeAllocator(_:)`: hierarchical DRF (or strict
/// priority) across roles, DRF among a role's frameworks, quota guarantees and limits,
/// refuse filters, suppression and offer timeouts.
///
/// Everything is indexed by dense integers; shares are refreshed once per cycle and then
/// kept up to date incrementally, so a cycle costs about O(agents × (K + scanned clients) +
/// offers × log frameworks) where K is the number of resource kinds (see `allocate`).
public struct HierarchicalAllocator: Allocator {
    /// The settings this allocator was made with.
    public let configuration: AllocatorConfiguration

    var kinds = ResourceKinds()
    var agents: [AgentSlot] = []
    var freeAgentSlots: [Int] = []
    var agentIndex: [String: Int] = [:]
    /// Live agents sorted by id; rebuilt when agents come or go.
    var agentOrder: [Int] = []
    var agentOrderIsStale = false
    /// Refuse filters, by agent slot and client.
    var refuseFilters = RefuseFilters()
    /// Every agent's total, used and offered resources, by agent slot.
    var agentQuantities = AgentQuantities(kindCount: ResourceKinds.common.count)
    var frameworks: [FrameworkSlot] = []
    var freeFrameworkSlots: [Int] = []
    var frameworkIndex: [String: Int] = [:]
    var clients: [ClientSlot] = []
    var freeClientSlots: [Int] = []
    var roles: [RoleSlot] = []
    var roleIndex: [String: Int] = [:]
    /// Roles with at least one subscribed client, in policy order during a cycle.
    var roleOrder: [Int] = []
    var clusterTotal = ResourceVector(count: ResourceKinds.common.count)
    var offers = OfferTable()
    /// Offer ids in the order they were made, for expiry; `offerQueueHead` is the first live one.
    var offerQueue: [OfferID] = []
    var offerQueueHead = 0
    var nextOfferID: OfferID = 1
    var nextAgentGeneration: UInt32 = 1
    // Per-cycle scratch, kept between cycles so a cycle does not reallocate it.
    var frameworkRank: [Int] = []
    /// By client index, what orders a role's clients: its DRF share, then its framework's
    /// rank (`clientLess`); filled by `prepareOrders`, a share updated with every offer.
    var clientSortKeys: [ClientSortKey] = []
    var roleRank: [Int] = []
    /// Active roles per top-level role, to know when a role can move alone.
    var roleBlockSize: [Int] = []
    /// False: the cycle takes none of its shortcuts (passing over roles by their kind bits,
    /// updating an agent's available resources in place after an offer, skipping the quota
    /// limits of roles without any): the straightforward reference the tests compare the
    /// shortcuts with. Decisions are the same either way.
    var usesFastPaths = true
    /// Vectors of answered offers, for the cycle's next offers to keep instead of allocating.
    var spareVectors: [ResourceVector] = []
    static let spareVectorLimit = 16_384
    /// How many offers the last cycle made: the next one reserves room for as many.
    var lastCycleOfferCount = 0
    /// The named form of offers' vectors made lately (emptied when a kind is added).
    var quantitiesMemo = QuantitiesMemo()
    /// Every role's path (`RoleSlot.path`) in one flat table, `rolePathStride` entries a
    /// role, with its length in `roleDepth`; filled by `prepareOrders`.
    var rolePaths: [Int] = []
    var rolePathStride = 1
    var roleDepth: [Int] = []
    /// Quota guarantees not yet met, summed over roles, and what no one holds yet.
    var requiredHeadroom = ResourceVector(count: ResourceKinds.common.count)
    var unallocated = ResourceVector(count: ResourceKinds.common.count)

    /// An allocator with no agents, frameworks or roles.
    public init(configuration: AllocatorConfiguration = AllocatorConfiguration()) {
        self.configuration = configuration
    }

    // MARK: - Resource kinds

    /// Registers the names in `quantities`, widening every stored vector if one is new.
    mutating func register(_ quantities: ResourceQuantities) {
        guard kinds.register(quantities) else { return }
        let count = kinds.count
        spareVectors.removeAll()
        quantitiesMemo.removeAll()
        clusterTotal.widen(to: count)
        agentQuantities.widen(to: count)
        for index in agents.indices {
            for client in agents[index].usedByClient.keys { agents[index].usedByClient[client]?.widen(to: count) }
        }
        for index in clients.indices {
            // Filters need no widening: a kind they do not store counts as zero.
            clients[index].consumed.widen(to: count)
        }
        for index in roles.indices {
            roles[index].ownConsumed.widen(to: count)
            roles[index].subtreeConsumed.widen(to: count)
            roles[index].guarantee.widen(to: count)
            roles[index].limit.widen(to: count, fill: Int64.max)
        }
        for id in offers.keys { offers[id]?.resources.widen(to: count) }
    }

    /// The dense form of `quantities`, registering new names first.
    mutating func vector(_ quantities: ResourceQuantities) -> ResourceVector {
        register(quantities)
        return kinds.vector(quantities)
    }

    // MARK: - Agents

    public mutating func addAgent(_ id: String, total: ResourceQuantities, used: [UsedResources]) {
        if agentIndex[id] != nil { _ = removeAgent(id) }
        let totalVector = vector(total)
        let slot = AgentSlot(
            id: id, generation: nextAgentGeneration, live: true, usedByClient: [:], offerIDs: AgentOfferIDs())
        nextAgentGeneration &+= 1
        let index: Int
        if let free = freeAgentSlots.popLast() {
            index = free
            agents[index] = slot
        } else {
            index = agents.count
            agents.append(slot)
            refuseFilters.reserveAgents(agents.count)
            agentQuantities.reserveAgents(agents.count)
        }
        agentQuantities.clear(agent: index)
        agentQuantities.set(.total, of: index, to: totalVector)
        agentIndex[id] = index
        agentOrderIsStale = true
        clusterTotal.add(totalVector)
        for entry in used {
            addUsed(framework: entry.framework, role: entry.role, agent: index, resources: entry.resources)
        }
    }

    public mutating func updateAgent(_ id: String, total: ResourceQuantities) -> [OfferDecision] {
        guard let index = agentIndex[id] else { return [] }
        let totalVector = vector(total)
        clusterTotal.subtract(agentQuantities.vector(.total, of: index))
        clusterTotal.add(totalVector)
        agentQuantities.set(.total, of: index, to: totalVector)
        // If the agent shrank below what is handed out, take back its offers (tasks keep running).
        return rescindIfOverCommitted(agent: index)
    }

    public mutating func removeAgent(_ id: String) -> [OfferDecision] {
        guard let index = agentIndex[id] else { return [] }
        let rescinded = agents[index].offerIDs.sorted().compactMap { rescind($0) }
        for (client, used) in agents[index].usedByClient.sorted(by: { $0.key < $1.key }) {
            discharge(client: client, used)
            clients[client].usedAgents.remove(index)
        }
        clusterTotal.subtract(agentQuantities.vector(.total, of: index))
        agents[index].live = false
        agents[index].usedByClient = [:]
        refuseFilters.removeAll(agent: index)
        agentIndex[id] = nil
        freeAgentSlots.append(index)
        agentOrderIsStale = true
        return rescinded
    }

    public func allocation(ofAgent id: String) -> AgentAllocation? {
        guard let index = agentIndex[id] else { return nil }
        return AgentAllocation(
            total: kinds.quantities(agentQuantities.vector(.total, of: index)),
            used: kinds.quantities(agentQuantities.vector(.used, of: index)),
            offered: kinds.quantities(agentQuantities.vector(.offered, of: index)))
    }

    public func consumption(ofRole role: String) -> ResourceQuantities {
        guard let index = roleIndex[role] else { return ResourceQuantities() }
        return kinds.quantities(roles[index].subtreeConsumed)
    }
}
