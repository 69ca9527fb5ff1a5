/// A fault as it happened: which masters it hit, who led before it, when it fired and healed.
public struct FaultRecord: Sendable, Hashable, Codable {
    public var planned: PlannedFault
    public var targets: [UInt64]
    /// The leader and its term just before the fault.
    public var leaderBefore: UInt64
    public var termBefore: UInt64
    /// On the run's clock.
    public var injectedNanos: UInt64
    public var healedNanos: UInt64
    /// How many masters the cluster has.
    public var members: Int

    public init(
        planned: PlannedFault, targets: [UInt64], leaderBefore: UInt64, termBefore: UInt64, injectedNanos: UInt64,
        healedNanos: UInt64, members: Int
    ) {
        self.planned = planned
        self.targets = targets
        self.leaderBefore = leaderBefore
        self.termBefore = termBefore
        self.injectedNanos = injectedNanos
        self.healedNanos = healedNanos
        self.members = members
    }

    /// Whether the fault took the leader away (so a new one must be elected).
    public var hitLeader: Bool { targets.contains(leaderBefore) }

    /// Whether a majority was still up while the fault lasted.
    public var majorityLeft: Bool { members - targets.count > members / 2 }

    /// When a new leader can first be expected: at the fault if a majority was left,
    /// otherwise when it healed.
    public var failoverFromNanos: UInt64 { majorityLeft ? injectedNanos : healedNanos }
}
