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
    /// Chance per fault step that followers are told the live leader refuses connections
    /// (a firewall REJECT or a resetting proxy looks the same), and the share of those
    /// reports that repeat a few times over several heartbeat intervals.
    public var falseRefusalProbability: Double = 0
    public var repeatedRefusalShare: Double = 0
    /// Chance per fault step that a node's process pauses (SIGSTOP, a long GC) for up to
    /// `maxPauseMicros`; it then gets a burst of the ticks, messages and disk completions
    /// it missed.
    public var pauseProbability: Double = 0
    public var maxPauseMicros: UInt64 = 1_000_000
    /// Chance per fault step that a node's clock jumps: forward (a burst of ticks at once)
    /// or back (no ticks for a while).
    public var clockJumpProbability: Double = 0
    /// The share of crashes that are power losses: the state machine loses its writes since
    /// its last sync and is re-applied from the log. (A killed process keeps them.)
    public var powerLossShare: Double = 0
    /// Chance that a node restoring its state machine from the stored snapshot at start
    /// crashes before the restore is done.
    public var crashDuringRestoreProbability: Double = 0
    /// Chance that a crashed voter comes back with its raft storage wiped (at most one per
    /// run, and only while the other voters keep a quorum). It must refuse to start.
    public var wipeVoterProbability: Double = 0
    /// Chance that a crashed voter comes back with its stored log cut below its stored
    /// commit index (a damaged log file; at most one wiped or damaged member per run). The
    /// core must refuse to start it (`RaftStateError`).
    public var damagedLogProbability: Double = 0

    /// Whether false refusals are the only fault: no loss, crash, partition, pause or
    /// other disturbance that could justify an election.
    public var hasOnlyFalseRefusals: Bool {
        var quiet = self
        quiet.falseRefusalProbability = 0
        quiet.repeatedRefusalShare = 0
        quiet.slowMessageProbability = 0
        return falseRefusalProbability > 0 && slowMessageProbability < 0.05 && quiet == FaultMix()
    }

    /// No faults; start from here and switch faults on.
    public init() {}

    /// The mix's name on the command line.
    public static let named: [(name: String, mix: FaultMix)] = [
        ("none", .none), ("network", .network), ("crashes", .crashes),
        ("partitions", .partitions), ("membership", .membership), ("everything", .everything),
        ("aggressive", .aggressive), ("refusals", .refusals), ("pauses", .pauses),
        ("restarts", .restarts),
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
        mix.falseRefusalProbability = 0.03
        mix.repeatedRefusalShare = 0.5
        mix.pauseProbability = 0.02
        mix.clockJumpProbability = 0.02
        mix.powerLossShare = 0.5
        mix.crashDuringRestoreProbability = 0.3
        mix.wipeVoterProbability = 0.02
        mix.damagedLogProbability = 0.02
        return mix
    }()

    /// False and repeated connection refusals about a live, healthy leader, over a network
    /// that only delays: every campaign is needless, and their number is bounded.
    public static let refusals: FaultMix = {
        var mix = FaultMix()
        mix.slowMessageProbability = 0.01
        mix.falseRefusalProbability = 0.3
        mix.repeatedRefusalShare = 0.5
        return mix
    }()

    /// Process pauses with tick bursts, clock jumps and false refusals.
    public static let pauses: FaultMix = {
        var mix = FaultMix()
        mix.dropProbability = 0.01
        mix.slowMessageProbability = 0.02
        mix.pauseProbability = 0.08
        mix.clockJumpProbability = 0.05
        mix.falseRefusalProbability = 0.1
        mix.repeatedRefusalShare = 0.5
        return mix
    }()

    /// Crashes and power losses (unsynced state-machine writes lost), crashes during the
    /// restore at start, a wiped voter, a damaged log, slow and failing storage.
    public static let restarts: FaultMix = {
        var mix = FaultMix()
        mix.dropProbability = 0.01
        mix.slowMessageProbability = 0.02
        mix.crashes = true
        mix.crashProbability = 0.1
        mix.leaderCrashShare = 0.4
        mix.maxDownMicros = 400_000
        mix.crashOnCommitProbability = 0.02
        mix.storageFaults = true
        mix.powerLossShare = 0.8
        mix.crashDuringRestoreProbability = 0.5
        mix.wipeVoterProbability = 0.1
        mix.damagedLogProbability = 0.1
        mix.pauseProbability = 0.02
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
        mix.powerLossShare = 0.5
        mix.crashDuringRestoreProbability = 0.3
        return mix
    }()
}
