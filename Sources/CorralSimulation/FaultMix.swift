/// Which faults a run injects, and how hard.
public struct FaultMix: Sendable, Hashable {
    /// Probability that a message is dropped / delivered twice.
    public var dropProbability: Double = 0
    public var duplicateProbability: Double = 0
    /// Probability that a message takes a long detour (which reorders it).
    public var slowMessageProbability: Double = 0
    /// Symmetric and asymmetric partitions that come and go.
    public var partitions: Bool = false
    /// FoundationDB-style swizzle: clog random links one by one, then unclog them.
    public var swizzle: Bool = false
    /// Nodes crash (losing everything not durable) and restart.
    public var crashes: Bool = false
    /// Chance per fault step (every 20–60 ms) of a crash, and the share of crashes that
    /// hit the current leader.
    public var crashProbability: Double = 0.05
    public var leaderCrashShare: Double = 0.2
    /// The longest a crashed node stays down before it restarts.
    public var maxDownMicros: UInt64 = 1_500_000
    /// "Buggify" crashes of a leader in the middle of a step, before the step's messages
    /// leave: right after it wins an election, right after it appends a proposal, or right
    /// after its commit index advances.
    public var crashOnElectionProbability: Double = 0
    public var crashMidProposalProbability: Double = 0
    public var crashOnCommitProbability: Double = 0
    /// Chance that a new leader's outbound links are cut right after it wins (it keeps
    /// appending proposals nobody else sees). Needs `partitions`.
    public var isolateOnElectionProbability: Double = 0
    /// Slow syncs and failed writes (a failed write crashes its node).
    public var storageFaults: Bool = false
    /// Node clocks run at different rates (each node's tick interval is scaled by a factor
    /// in 0.7…1.3 drawn per run, plus per-tick jitter).
    public var clockSkew: Bool = false
    /// Remove a voter, add it back as a learner, promote it.
    public var membershipChurn: Bool = false
    /// Ask the leader to hand leadership to another voter.
    public var leadershipTransfer: Bool = false

    /// No faults; start from here and switch faults on.
    public init() {}

    /// The mix's name on the command line.
    public static let named: [(name: String, mix: FaultMix)] = [
        ("none", .none), ("network", .network), ("crashes", .crashes),
        ("partitions", .partitions), ("membership", .membership), ("everything", .everything),
        ("aggressive", .aggressive),
    ]

    /// The mix called `name`, if there is one.
    public static func named(_ name: String) -> FaultMix? {
        named.first { $0.name == name }?.mix
    }

    /// The name of this mix, or "custom".
    public var name: String {
        Self.named.first { $0.mix == self }?.name ?? "custom"
    }

    /// No faults: a reliable network with random latency only.
    public static let none = FaultMix()

    /// Drops, duplicates and reordering.
    public static let network: FaultMix = {
        var mix = FaultMix()
        mix.dropProbability = 0.05
        mix.duplicateProbability = 0.03
        mix.slowMessageProbability = 0.05
        return mix
    }()

    /// Crashes with slow and failing storage, over a mildly lossy network.
    public static let crashes: FaultMix = {
        var mix = FaultMix()
        mix.dropProbability = 0.01
        mix.slowMessageProbability = 0.02
        mix.crashes = true
        mix.storageFaults = true
        return mix
    }()

    /// Partitions and swizzle-clogging.
    public static let partitions: FaultMix = {
        var mix = FaultMix()
        mix.dropProbability = 0.01
        mix.slowMessageProbability = 0.02
        mix.partitions = true
        mix.swizzle = true
        return mix
    }()

    /// Membership churn and leadership transfers over a mildly lossy network.
    public static let membership: FaultMix = {
        var mix = FaultMix()
        mix.dropProbability = 0.01
        mix.slowMessageProbability = 0.02
        mix.membershipChurn = true
        mix.leadershipTransfer = true
        return mix
    }()

    /// Everything at once.
    public static let everything: FaultMix = {
        var mix = FaultMix()
        mix.dropProbability = 0.05
        mix.duplicateProbability = 0.03
        mix.slowMessageProbability = 0.05
        mix.partitions = true
        mix.swizzle = true
        mix.crashes = true
        mix.crashOnElectionProbability = 0.02
        mix.crashMidProposalProbability = 0.005
        mix.crashOnCommitProbability = 0.005
        mix.isolateOnElectionProbability = 0.05
        mix.clockSkew = true
        mix.storageFaults = true
        mix.membershipChurn = true
        mix.leadershipTransfer = true
        return mix
    }()

    /// Leader crashes every few hundred milliseconds over a lossy, partitioned network:
    /// the mix that finds commit-rule and durability bugs fastest.
    public static let aggressive: FaultMix = {
        var mix = FaultMix()
        mix.dropProbability = 0.1
        mix.duplicateProbability = 0.03
        mix.slowMessageProbability = 0.1
        mix.partitions = true
        mix.crashes = true
        mix.crashProbability = 0.1
        mix.leaderCrashShare = 0.6
        mix.maxDownMicros = 300_000
        mix.clockSkew = true
        mix.crashOnElectionProbability = 0.05
        mix.crashMidProposalProbability = 0.03
        mix.crashOnCommitProbability = 0.2
        mix.isolateOnElectionProbability = 0.3
        mix.storageFaults = true
        return mix
    }()
}
