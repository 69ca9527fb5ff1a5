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
    var total: ResourceVector
    var used: ResourceVector
    var offered: ResourceVector
    /// Used resources per client index.
    var usedByClient: [Int: ResourceVector]
    /// Outstanding offers on this agent.
    var offerIDs: [OfferID]
    /// Refuse filters by client index. Kept per agent, not per client, so that the many
    /// filters one agent's scan checks in a row sit together in memory.
    var filters: AgentFilters
}

/// A refuse filter: the client is not offered this agent's resources while what would be
/// offered fits inside `resources` and the filter has not expired.
///
/// Everything a check reads is stored inline: the allocation loop checks many filters in a
/// row, and a separately allocated vector per filter costs a cache miss each. The first four
/// kinds are in `head`; of the kinds past the fourth (reserved and revocable ones), a filter
/// usually holds one or two, kept inline as (index, quantity) pairs; only a filter with more
/// keeps them in `overflow`.
struct OfferFilter: Sendable {
    var agentGeneration: UInt32
    var expiresAtMillis: UInt64
    var head: SIMD4<Int64>
    /// Kind indices (from the fifth on) of the inline quantities; -1 marks an unused slot.
    var extraKinds: SIMD2<Int32>
    var extraMillis: SIMD2<Int64>
    /// Kinds from the fifth on, when more than two of them are non-zero; kinds registered
    /// after the filter count as zero.
    var overflow: [Int64]?

    init(agentGeneration: UInt32, resources: ResourceVector, expiresAtMillis: UInt64) {
        self.agentGeneration = agentGeneration
        self.expiresAtMillis = expiresAtMillis
        head = resources.head
        extraKinds = SIMD2(repeating: -1)
        extraMillis = SIMD2(repeating: 0)
        overflow = nil
        var slot = 0
        for index in 4..<max(4, resources.millis.count) where resources.millis[index] > 0 {
            guard slot < 2 else {
                overflow = Array(resources.millis.dropFirst(4))
                return
            }
            extraKinds[slot] = Int32(index)
            extraMillis[slot] = resources.millis[index]
            slot += 1
        }
    }

    /// The filtered quantity of kind `index` (the fifth or a later one).
    private func filtered(_ index: Int) -> Int64 {
        if let overflow { return index - 4 < overflow.count ? overflow[index - 4] : 0 }
        if Int32(index) == extraKinds[0] { return extraMillis[0] }
        if Int32(index) == extraKinds[1] { return extraMillis[1] }
        return 0
    }

    /// Whether `offerable` (whose `head` is `offerableHead`) fits inside the filtered resources.
    /// `nonZeroTail`, when given, lists the kinds past the fourth that `offerable` holds any
    /// of: only those are compared (a cycle works them out once per agent and role, since
    /// most reserved and revocable kinds are masked to zero for most roles).
    func covers(_ offerable: ResourceVector, head offerableHead: SIMD4<Int64>, nonZeroTail: [Int]? = nil) -> Bool {
        if any(offerableHead .> head) { return false }
        if let nonZeroTail {
            for index in nonZeroTail where offerable.millis[index] > filtered(index) { return false }
            return true
        }
        var index = 4
        while index < offerable.millis.count {
            if offerable.millis[index] > filtered(index) { return false }
            index += 1
        }
        return true
    }
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
    /// DRF share, refreshed at the start of each cycle and on allocation.
    var share: Double
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
