// MARK: - Dense internal records
//
// The allocator keeps agents, frameworks, roles and (framework, role) clients in arrays
// indexed by dense integers, so the allocation loop never hashes a string.

/// One agent.
struct AgentSlot: Sendable {
    var id: String
    /// Bumped each time the slot is reused, so filters naming an old agent never match.
    var generation: UInt32
    var live: Bool
    // Its total, used and offered resources are in `HierarchicalAllocator.agentQuantities`.
    /// Used resources per client index.
    var usedByClient: [Int: ResourceVector]
    /// Outstanding offers on this agent.
    var offerIDs: AgentOfferIDs
}

/// What orders a client among its role's: lower share first, then lower framework rank.
struct ClientSortKey: Sendable {
    var share: Double
    var rank: Int
}

/// A framework subscribed (or known through used resources) in one role.
struct ClientSlot: Sendable {
    var framework: Int
    var role: Int
    var live: Bool
    /// Subscribed in this role and its framework is registered.
    var subscribed: Bool
    var suppressed: Bool
    /// Used plus offered, in this role.
    var consumed: ResourceVector
    // Its DRF share is in `HierarchicalAllocator.clientSortKeys`.
    /// Agents on which this client has used resources.
    var usedAgents: Set<Int>
    /// Agents holding a refuse filter for this client (possibly stale ones), for revive.
    var filteredAgents: Set<Int>
    /// The agents its offer constraints allow, by id; nil: every agent.
    var eligibleAgents: Set<String>? = nil
}

/// A framework.
struct FrameworkSlot: Sendable {
    var id: String
    var live: Bool
    /// Registered (not only known through used resources).
    var registered: Bool
    /// Client index by role index.
    var clients: [Int: Int]
    /// Whether it takes revocable resources (REVOCABLE_RESOURCES).
    var takesRevocable = false
}

/// A role: a node of the role tree (`eng/web` is a child of `eng`).
struct RoleSlot: Sendable {
    var name: String
    var parent: Int?
    /// Role indices from the top-level ancestor down to this role.
    var path: [Int]
    var weight: Double
    var priority: Int
    /// Used plus offered by this role's own clients.
    var ownConsumed: ResourceVector
    /// Used plus offered by this role and every subrole.
    var subtreeConsumed: ResourceVector
    var guarantee: ResourceVector
    /// Per kind; `Int64.max` is unlimited.
    var limit: ResourceVector
    var hasGuarantee: Bool
    var hasLimit: Bool
    /// Client indices of this role, in DRF order during a cycle.
    var clientOrder: [Int]
    /// During a cycle with revocable kinds: the clients of `clientOrder` that take revocable
    /// resources, in the same order, so that an agent with only revocable resources left is
    /// not offered past every client that does not take them.
    var revocableOrder: [Int] = []
    /// Dominant share of `subtreeConsumed`, divided by the weight.
    var subtreeShare: Double
    /// Dominant share of `ownConsumed`, divided by the weight.
    var ownShare: Double
}

/// An offer not yet answered.
struct OutstandingOffer: Sendable {
    var client: Int
    var agent: Int
    var resources: ResourceVector
    var offeredAtMillis: UInt64
}

/// An agent's outstanding offer ids, in no order. An agent holds one or two offers at a time
/// (firm and revocable resources to different frameworks); those two sit in the slot itself,
/// so making an offer touches no memory of its own for the list, and only more go to `more`.
struct AgentOfferIDs: Sendable {
    /// Zero marks an empty place: offer ids start at 1.
    private var first: OfferID = 0
    private var second: OfferID = 0
    private var more: [OfferID] = []

    mutating func append(_ id: OfferID) {
        if first == 0 {
            first = id
        } else if second == 0 {
            second = id
        } else {
            more.append(id)
        }
    }

    mutating func remove(_ id: OfferID) {
        if first == id {
            first = second
            second = more.popLast() ?? 0
        } else if second == id {
            second = more.popLast() ?? 0
        } else if let index = more.firstIndex(of: id) {
            more.swapAt(index, more.count - 1)
            more.removeLast()
        }
    }

    /// Every id, in increasing order.
    func sorted() -> [OfferID] {
        var ids = more
        if second != 0 { ids.append(second) }
        if first != 0 { ids.append(first) }
        return ids.sorted()
    }
}
