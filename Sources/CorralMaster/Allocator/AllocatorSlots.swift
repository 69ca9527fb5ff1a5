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
}

/// A refuse filter: the client is not offered this agent's resources while what would be
/// offered fits inside `resources` and the filter has not expired.
struct OfferFilter: Sendable {
    var agentGeneration: UInt32
    var resources: ResourceVector
    var expiresAtMillis: UInt64
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
    /// Refuse filters by agent index.
    var filters: [Int: OfferFilter]
}

/// A framework.
struct FrameworkSlot: Sendable {
    var id: String
    var live: Bool
    /// Registered (not only known through used resources).
    var registered: Bool
    /// Client index by role index.
    var clients: [Int: Int]
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
