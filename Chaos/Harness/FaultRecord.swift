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
    /// Partitions: the links cut.
    public var partition: Partition?
    /// Partitions: the masters cut off from a majority (none for a bridge).
    public var cutOff: [UInt64]?
    /// `replace`: which of its steps this record is (`ChaosRun+Membership.swift`).
    public var membership: MembershipStep?

    /// `leaderBefore` 0 means the leader was not known (a `flap` toggle does not wait for
    /// one), and no fail-over is measured for the fault.
    public init(
        planned: PlannedFault, targets: [UInt64], leaderBefore: UInt64, termBefore: UInt64, injectedNanos: UInt64,
        healedNanos: UInt64, members: Int, partition: Partition? = nil, stranded: [UInt64]? = nil
    ) {
        self.planned = planned
        self.targets = targets
        self.leaderBefore = leaderBefore
        self.termBefore = termBefore
        self.injectedNanos = injectedNanos
        self.healedNanos = healedNanos
        self.members = members
        self.partition = partition
        self.cutOff = partition == nil ? nil : stranded ?? []
    }

    /// A fault that took no master out of the quorum (lossy links, a clock jump): nobody is
    /// stranded and no fail-over is measured.
    static func strandingNobody(
        _ planned: PlannedFault, targets: [UInt64], leader: UInt64, term: UInt64, injected: UInt64, healed: UInt64, members: Int
    ) -> FaultRecord {
        FaultRecord(
            planned: planned, targets: targets, leaderBefore: leader, termBefore: term, injectedNanos: injected, healedNanos: healed,
            members: members, partition: Partition.none, stranded: [])
    }

    /// The masters the fault took out of the quorum: the targets of a process fault, the
    /// masters cut off from a majority by a partition.
    public var stranded: [UInt64] { cutOff ?? targets }

    /// Whether the fault took the leader away (so a new one must be elected).
    public var hitLeader: Bool { stranded.contains(leaderBefore) }

    /// Whether a majority was still up and connected while the fault lasted.
    public var majorityLeft: Bool { members - stranded.count > members / 2 }

    /// Masters whose leadership does not count as the fail-over: a partition's stranded
    /// side, which cannot win an election (a restarted master can, so none for process faults).
    public var cannotLead: Set<UInt64> { partition == nil ? [] : Set(stranded) }

    /// When a new leader can first be expected: at the fault if a majority was left,
    /// otherwise when it healed.
    public var failoverFromNanos: UInt64 { majorityLeft ? injectedNanos : healedNanos }
}
