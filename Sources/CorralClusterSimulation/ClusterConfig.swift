import CorralMaster

/// One whole-cluster run: masters (Raft, registry, allocator, the leader's state machine),
/// agents (the agent's state machine over simulated containers) and scripted schedulers,
/// under one seed and virtual time.
public struct ClusterConfig: Sendable {
    public var seed: UInt64
    /// 3 or 5.
    public var masters: Int
    public var agents: Int
    public var frameworks: Int
    /// Tasks each framework must see finish before the run may end.
    public var tasksPerFramework: Int
    /// Virtual seconds of fault injection; then the faults heal.
    public var chaosSeconds: Double
    /// Virtual seconds the healed cluster has to finish the workload and converge.
    public var livenessSeconds: Double
    /// Inject faults (crashes, partitions, lost and duplicated messages, clock drift).
    public var faults: Bool
    /// Record a readable event trace.
    public var trace: Bool
    /// Rules broken on purpose, to show the checkers catch them. Testing only.
    public var breaks: Set<ClusterBreak>

    public init(
        seed: UInt64,
        masters: Int = 3,
        agents: Int = 10,
        frameworks: Int = 3,
        tasksPerFramework: Int = 20,
        chaosSeconds: Double = 30,
        livenessSeconds: Double = 90,
        faults: Bool = true,
        trace: Bool = false,
        breaks: Set<ClusterBreak> = []
    ) {
        self.seed = seed
        self.masters = masters
        self.agents = agents
        self.frameworks = frameworks
        self.tasksPerFramework = tasksPerFramework
        self.chaosSeconds = chaosSeconds
        self.livenessSeconds = livenessSeconds
        self.faults = faults
        self.trace = trace
        self.breaks = breaks
    }
}

/// A rule of the cluster broken on purpose (the mutation tests).
extension ClusterConfig {
    /// The command that runs this configuration again, with its trace: every option that
    /// differs from `corral sim --cluster`'s defaults.
    public var replayCommand: String {
        var words = ["corral sim --cluster --seed \(seed) --masters \(masters) --agents \(agents) --frameworks \(frameworks)"]
        if tasksPerFramework != 20 { words.append("--tasks \(tasksPerFramework)") }
        if chaosSeconds != 30 { words.append("--chaos-seconds \(chaosSeconds.formatted)") }
        if livenessSeconds != 90 { words.append("--liveness-seconds \(livenessSeconds.formatted)") }
        for rule in breaks.map(\.rawValue).sorted() { words.append("--break-cluster-rule \(rule)") }
        return (words + ["--trace"]).joined(separator: " ")
    }
}

extension Double {
    /// `8` rather than `8.0`; other values as Swift prints them.
    fileprivate var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}

public enum ClusterBreak: String, CaseIterable, Sendable {
    /// The leader offers resources that an outstanding offer already names.
    case offerTwice = "offer-twice"
    /// The leader tells the agent to launch before the launch is committed.
    case launchBeforeCommit = "launch-before-commit"
    /// Neither the leader nor the agent fences terms: a deposed leader may take an agent
    /// that has seen its successor, and the agent acts on a stale term's events.
    case termFence = "term-fence"
    /// The leader stamps the registry with its wall clock as it reads it: a wall clock that
    /// jumps ahead removes frameworks whose schedulers are away long before their timeout.
    case wallClockDeadlines = "wall-clock-deadlines"
    /// The leader acts on a registry change as it was when applied, though it hears of it
    /// later: an update the registry has moved past goes out again.
    case staleChanges = "stale-changes"

    /// The master's deliberate breaks this rule turns on.
    var masterBreaks: Set<DeliberateBreak> {
        switch self {
        case .offerTwice: [.offerTwice]
        case .launchBeforeCommit: [.launchBeforeCommit]
        case .termFence: [.ignoreAgentTerm]
        case .wallClockDeadlines: [.wallClockDeadlines]
        case .staleChanges: [.staleChanges]
        }
    }
}
