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
    /// Slow syncs and failed writes (a failed write crashes its node).
    public var storageFaults: Bool = false
    /// Remove a voter, add it back as a learner, promote it.
    public var membershipChurn: Bool = false
    /// Ask the leader to hand leadership to another voter.
    public var leadershipTransfer: Bool = false

    public init() {}

    /// The mix's name on the command line.
    public static let named: [(name: String, mix: FaultMix)] = [
        ("none", .none), ("network", .network), ("crashes", .crashes),
        ("partitions", .partitions), ("membership", .membership), ("everything", .everything),
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
        mix.storageFaults = true
        mix.membershipChurn = true
        mix.leadershipTransfer = true
        return mix
    }()
}
