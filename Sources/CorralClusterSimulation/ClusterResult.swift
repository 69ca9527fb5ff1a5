/// What happened in a run, for the summary line and the speed figure.
public struct ClusterCounters: Sendable {
    public var events = 0
    public var simulatedMicros: UInt64 = 0
    public var raftMessages = 0
    public var calls = 0
    public var tasksLaunched = 0
    public var containersStarted = 0
    public var masterCrashes = 0
    public var agentCrashes = 0
    public var schedulerFailovers = 0
    public var partitions = 0
    public var clockJumps = 0
    /// Slow disks and failing writes injected.
    public var diskFaults = 0
    /// Records of an older term's stream delivered on an agent's newer stream.
    public var desyncs = 0
    public var elections = 0
}

/// One run's outcome.
public struct ClusterResult: Sendable {
    public var seed: UInt64
    public var masters: Int
    public var agents: Int
    public var frameworks: Int
    public var violations: [ClusterViolation]
    public var counters: ClusterCounters
    /// The readable event trace (with `ClusterConfig.trace`).
    public var trace: [String]
    /// The command that replays the run.
    public var replay: String

    public var passed: Bool { violations.isEmpty }

    /// One line: the seed, the shape, what ran, and the first violation if any.
    public var summary: String {
        let c = counters
        let shape = "\(masters) masters, \(agents) agents, \(frameworks) frameworks"
        let work =
            "\(c.containersStarted) tasks run, \(c.masterCrashes) master and \(c.agentCrashes) agent crashes, \(c.partitions) isolations, \(c.clockJumps) clock jumps, \(c.diskFaults) disk faults, \(c.desyncs) desyncs, \(c.schedulerFailovers) scheduler fail-overs, \(c.elections) leaders, \(String(format: "%.1f", Double(c.simulatedMicros) / 1e6)) s simulated"
        guard let first = violations.first else { return "seed \(seed) ok (\(shape)): \(work)" }
        return
            "seed \(seed) FAILED (\(shape)): \(first); \(work); replay: \(replay)"
    }
}

/// The whole cluster under one seed (`ClusterConfig`).
public struct ClusterSimulation: Sendable {
    public let config: ClusterConfig

    public init(config: ClusterConfig) {
        self.config = config
    }

    public func run() -> ClusterResult {
        ClusterEngine(config: config).run()
    }
}
