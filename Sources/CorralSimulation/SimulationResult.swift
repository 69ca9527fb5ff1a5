/// What happened in a run.
public struct SimulationCounters: Sendable, Hashable {
    public var steps: UInt64 = 0
    /// Times a node became leader.
    public var elections = 0
    /// The highest committed index.
    public var commits: UInt64 = 0
    public var proposals = 0
    public var acknowledged = 0
    public var reads = 0
    public var messagesSent = 0
    public var messagesDelivered = 0
    public var crashes = 0
    public var failedWrites = 0
    public var snapshotsTaken = 0
    public var snapshotsInstalled = 0
    public var configChanges = 0
    public var transfers = 0
    public var simulatedMicros: UInt64 = 0

    public init() {}

    public var simulatedSeconds: Double { Double(simulatedMicros) / 1_000_000 }
}

/// The outcome of one run.
public struct SimulationResult: Sendable {
    public var seed: UInt64
    public var nodes: Int
    public var faults: FaultMix
    public var violations: [Violation]
    public var counters: SimulationCounters
    /// A hash of every event; the same seed and config must give the same hash.
    public var traceHash: UInt64
    /// The readable trace, when the run was in trace mode.
    public var trace: [String]

    public var passed: Bool { violations.isEmpty }

    /// One line: the seed, the verdict, the first violation and how to replay.
    public var summary: String {
        let head = "seed \(seed) nodes \(nodes) faults \(faults.name)"
        guard let first = violations.first else {
            return "\(head): ok (\(counters.elections) elections, \(counters.commits) commits, \(counters.acknowledged) acked)"
        }
        return "\(head): FAILED \(first) — replay: corral sim --seed \(seed) --nodes \(nodes) --faults \(faults.name) --trace"
    }
}
