/// What happened in a run.
public struct SimulationCounters: Sendable, Hashable {
    /// Events processed.
    public var steps: UInt64 = 0
    /// Times a node became leader.
    public var elections = 0
    /// Campaigns started while a healthy leader of an earlier term held a quorum.
    public var needlessElections = 0
    /// Crashes that lost the state machine's unsynced writes, restores at start, and nodes
    /// that refused to start (a wiped voter).
    public var powerLosses = 0
    public var restoresAtStart = 0
    public var refusedStarts = 0
    /// Process pauses, clock jumps and false connection refusals injected.
    public var pauses = 0
    public var clockJumps = 0
    public var falseRefusals = 0
    /// The highest committed index.
    public var commits: UInt64 = 0
    /// Commands proposed, commands acknowledged to the client, reads served.
    public var proposals = 0
    public var acknowledged = 0
    public var reads = 0
    /// Messages handed to the network, and those that reached a running node.
    public var messagesSent = 0
    public var messagesDelivered = 0
    /// Crashes (including buggify and fail-stop ones) and writes that failed.
    public var crashes = 0
    public var failedWrites = 0
    /// Application snapshots taken, and snapshots installed by `.applySnapshot`.
    public var snapshotsTaken = 0
    public var snapshotsInstalled = 0
    /// Membership changes proposed, leadership transfers asked for.
    public var configChanges = 0
    public var transfers = 0
    /// Virtual time at the end of the run.
    public var simulatedMicros: UInt64 = 0

    /// Zero counters.
    public init() {}

    /// Virtual time at the end of the run, in seconds.
    public var simulatedSeconds: Double { Double(simulatedMicros) / 1_000_000 }
}

/// The outcome of one run.
public struct SimulationResult: Sendable {
    /// What ran: the seed, the cluster size, the fault mix.
    public var seed: UInt64
    public var nodes: Int
    /// How many of the nodes started as learners.
    public var learners: Int
    public var faults: FaultMix
    /// Every broken invariant; a run stops at the first step that breaks one.
    public var violations: [Violation]
    /// What happened.
    public var counters: SimulationCounters
    /// A hash of every event; the same seed and config must give the same hash.
    public var traceHash: UInt64
    /// The readable trace, when the run was in trace mode.
    public var trace: [String]

    /// Whether no invariant broke.
    public var passed: Bool { violations.isEmpty }

    /// One line: the seed, the verdict, the first violation and how to replay.
    public var summary: String {
        let shape = learners == 0 ? "\(nodes)" : "\(nodes - learners)+\(learners)"
        let head = "seed \(seed) shape \(shape) faults \(faults.name)"
        guard let first = violations.first else {
            return "\(head): ok (\(counters.elections) elections, \(counters.commits) commits, \(counters.acknowledged) acked)"
        }
        return "\(head): FAILED \(first) — replay: corral sim --seed \(seed) --shape \(shape) --faults \(faults.name) --trace"
    }
}
