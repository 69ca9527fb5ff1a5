/// Identifies one offer made by an allocator; unique and increasing within it.
public typealias OfferID = UInt64

/// One offer: everything an allocation cycle handed to one framework, for one of its roles,
/// on one agent. The resources stay allocated to the framework until the offer is accepted
/// (they become used), declined or rescinded (they are recovered).
public struct OfferDecision: Hashable, Sendable, CustomStringConvertible {
    /// The allocator's id for this offer.
    public var offerID: OfferID
    /// The framework's id (the value of the Mesos `FrameworkID`).
    public var framework: String
    /// The role the resources are allocated to.
    public var role: String
    /// The agent's id (the value of the Mesos `AgentID`).
    public var agent: String
    /// The quantities offered.
    public var resources: ResourceQuantities
    /// When the offer was made, in the caller's milliseconds.
    public var offeredAtMillis: UInt64

    public var description: String { "offer \(offerID) \(framework)/\(role)@\(agent) \(resources)" }
}

/// Resources already in use on an agent by one framework in one role, e.g. tasks read back
/// from the replicated registry after a master fail-over.
public struct UsedResources: Hashable, Sendable {
    /// The framework running the tasks.
    public var framework: String
    /// The role the tasks were launched in.
    public var role: String
    /// What the tasks hold.
    public var resources: ResourceQuantities

    public init(framework: String, role: String, resources: ResourceQuantities) {
        self.framework = framework
        self.role = role
        self.resources = resources
    }
}

/// What an agent's resources are doing right now.
public struct AgentAllocation: Hashable, Sendable {
    /// The agent's total.
    public var total: ResourceQuantities
    /// Held by tasks.
    public var used: ResourceQuantities
    /// Held by outstanding offers.
    public var offered: ResourceQuantities
}

/// How roles are ordered against each other.
public enum AllocationPolicy: Hashable, Sendable {
    /// Hierarchical dominant resource fairness: the role with the lowest dominant share
    /// divided by its weight goes first, at every level of the role tree.
    case dominantResourceFairness
    /// Strict priority: a role with a higher priority takes all it wants (up to its quota
    /// limit) before a lower one gets anything; unlisted roles have priority 0.
    case strictPriority([String: Int])
}

/// Allocator settings.
public struct AllocatorConfiguration: Hashable, Sendable {
    /// How roles are ordered.
    public var policy: AllocationPolicy
    /// Offers outstanding this long are rescinded by `expireOffers(nowMillis:)`; nil keeps
    /// offers until they are answered.
    public var offerTimeoutMillis: UInt64?

    public init(policy: AllocationPolicy = .dominantResourceFairness, offerTimeoutMillis: UInt64? = nil) {
        self.policy = policy
        self.offerTimeoutMillis = offerTimeoutMillis
    }
}

/// A pure resource allocator: fed the master's events, it decides which framework is offered
/// which agent's resources. It runs on the leader only; time comes in as milliseconds and it
/// does no I/O. Methods naming an unknown framework, agent or offer change nothing and return
/// false.
public protocol Allocator: Sendable {
    /// Subscribes a framework in `roles`; its used resources, if any were known, are kept.
    mutating func addFramework(_ id: String, roles: [String])
    /// Removes a framework: its offers disappear and its used resources are freed.
    @discardableResult mutating func removeFramework(_ id: String) -> Bool
    /// Adds an agent with its total and what tasks already use on it (never over-committed).
    mutating func addAgent(_ id: String, total: ResourceQuantities, used: [UsedResources])
    /// Changes an agent's total; returns the offers rescinded to make it fit.
    mutating func updateAgent(_ id: String, total: ResourceQuantities) -> [OfferDecision]
    /// Removes an agent; returns its outstanding offers, now rescinded.
    mutating func removeAgent(_ id: String) -> [OfferDecision]

    /// Runs one allocation cycle at `nowMillis` and returns the offers it makes.
    mutating func allocate(nowMillis: UInt64) -> [OfferDecision]
    /// Rescinds and returns offers outstanding for at least the offer timeout.
    mutating func expireOffers(nowMillis: UInt64) -> [OfferDecision]

    /// Accepts an offer: `launched` (clamped to the offer) becomes used, the rest is recovered
    /// and filtered for `refuseSeconds`, as Mesos does with an offer's unused part.
    @discardableResult
    mutating func accept(offer: OfferID, launched: ResourceQuantities, refuseSeconds: Double, nowMillis: UInt64) -> Bool
    /// Declines an offer: its resources are recovered and, for `refuseSeconds`, the framework
    /// is not offered that agent's resources again unless more than them become available.
    @discardableResult
    mutating func decline(offer: OfferID, refuseSeconds: Double, nowMillis: UInt64) -> Bool
    /// Declines part or all of what the framework's offers in `role` hold on the agent (the
    /// Mesos allocator's `recoverResources` with filters): the oldest offers give up
    /// `resources` first, an offer left empty is gone, and the declined quantities are
    /// filtered for `refuseSeconds`. Returns false when nothing was offered there.
    @discardableResult
    mutating func decline(
        framework: String, role: String, agent: String, resources: ResourceQuantities, refuseSeconds: Double,
        nowMillis: UInt64
    ) -> Bool
    /// Records resources used by a task launched outside an offer (e.g. replayed); returns the
    /// agent's offers, rescinded, if they no longer fit next to it.
    @discardableResult
    mutating func taskLaunched(
        framework: String, role: String, agent: String, resources: ResourceQuantities
    ) -> [OfferDecision]
    /// Returns resources a task used (it ended) to the agent.
    @discardableResult
    mutating func recover(framework: String, role: String, agent: String, resources: ResourceQuantities) -> Bool

    /// Clears the framework's filters and un-suppresses it, for one role or (nil) all.
    @discardableResult mutating func revive(framework: String, role: String?) -> Bool
    /// Stops offers to the framework, for one role or (nil) all, until revived.
    @discardableResult mutating func suppress(framework: String, role: String?) -> Bool
    /// Suppresses exactly `roles` of the framework and un-suppresses its other roles, keeping
    /// their filters (UPDATE_FRAMEWORK's `suppressed_roles`, unlike REVIVE).
    @discardableResult mutating func setSuppressedRoles(framework: String, roles: Set<String>) -> Bool
    /// Offers the framework's `role` only the agents in `agents` (nil: every agent): the
    /// agents its offer constraints allow. False for an unknown framework or role.
    @discardableResult mutating func setEligibleAgents(framework: String, role: String, agents: Set<String>?) -> Bool
    /// Adds or removes one agent in the eligible agents of a framework's role that has some
    /// (an agent registered or changed its attributes); no effect on a role without.
    mutating func setAgentEligible(framework: String, role: String, agent: String, eligible: Bool)
    /// Whether the framework is offered revocable resources (its REVOCABLE_RESOURCES
    /// capability); a framework without it never is. False for an unknown framework.
    @discardableResult mutating func setTakesRevocable(framework: String, _ takes: Bool) -> Bool
    /// Sets a role's DRF weight (default 1; must be positive).
    mutating func setWeight(_ weight: Double, role: String)
    /// Sets a role's quota: `guarantee` is allocated before fair sharing, `limit` (nil:
    /// unlimited; per name, absent names are unlimited) is never exceeded.
    mutating func setQuota(role: String, guarantee: ResourceQuantities, limit: ResourceQuantities?)

    /// Every outstanding offer, by id.
    var outstandingOffers: [OfferDecision] { get }
    /// An agent's total, used and offered resources.
    func allocation(ofAgent id: String) -> AgentAllocation?
    /// What a role holds (used and offered), its subroles included.
    func consumption(ofRole role: String) -> ResourceQuantities
}

/// The allocator for `configuration`; both policies share one implementation and differ only
/// in how roles are ordered.
public func makeAllocator(_ configuration: AllocatorConfiguration) -> any Allocator {
    HierarchicalAllocator(configuration: configuration)
}
