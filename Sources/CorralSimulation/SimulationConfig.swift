import CorralRaft

/// One simulation run: the seed, the cluster, the faults and how long to inject them.
public struct SimulationConfig: Sendable {
    /// The seed every generator of the run derives from.
    public var seed: UInt64
    /// The number of nodes, learners included: 1…9.
    public var nodes: Int
    /// How many of the nodes start as learners (the highest ids); the rest are voters.
    public var learners: Int
    /// The faults injected before the heal.
    public var faults: FaultMix
    /// Ticks of virtual time during which faults are injected.
    public var durationTicks: Int
    /// Virtual time after the heal within which the cluster must converge.
    public var livenessTicks: Int
    /// Virtual microseconds per Raft tick.
    public var tickMicros: UInt64
    /// Commands the workload must get acknowledged once the faults have healed.
    public var livenessCommands: Int
    /// Record a readable event trace.
    public var trace: Bool
    /// Applied to every node's `RaftConfig` after the simulator's defaults, e.g. to break
    /// a safety rule on purpose in a test.
    public var raftConfigOverride: (@Sendable (inout RaftConfig) -> Void)?
    /// Shell defects re-introduced on purpose, to watch the checkers catch them. Testing only.
    @_spi(Testing) public var brokenShellRules: Set<BrokenShellRule> = []
    /// In a run whose only faults are false refusals: the most campaigns allowed while a
    /// healthy leader holds a quorum.
    public var needlessElectionBound = 0
    /// How many ticks a deposed leader's proposal waits for its log to show the outcome
    /// before it is answered "outcome unknown" (`RaftServerOptions.outcomeWait`): five of
    /// the longest election timeouts, the master's default.
    public var outcomeWaitTicks: UInt64 = 100

    /// A run with the given seed; the defaults inject every fault for 4 s of virtual time.
    public init(
        seed: UInt64,
        nodes: Int = 3,
        learners: Int = 0,
        faults: FaultMix = .everything,
        durationTicks: Int = 400,
        livenessTicks: Int = 3_000,
        tickMicros: UInt64 = 10_000,
        livenessCommands: Int = 5,
        trace: Bool = false,
        raftConfigOverride: (@Sendable (inout RaftConfig) -> Void)? = nil
    ) {
        self.seed = seed
        self.nodes = nodes
        self.learners = learners
        self.faults = faults
        self.durationTicks = durationTicks
        self.livenessTicks = livenessTicks
        self.tickMicros = tickMicros
        self.livenessCommands = livenessCommands
        self.trace = trace
        self.raftConfigOverride = raftConfigOverride
    }

    /// The voters the cluster starts with: nodes 1…(nodes − learners).
    public var initialVoters: Set<NodeID> { Set((1...max(1, nodes - learners)).map { NodeID($0) }) }

    /// The shape on the command line: "3", or voters+learners such as "1+2".
    public var shapeName: String { learners == 0 ? "\(nodes)" : "\(nodes - learners)+\(learners)" }

    /// The Raft settings for node `id`: small timeouts, batches and snapshot chunks so a
    /// short run exercises flow control and multi-chunk InstallSnapshot.
    func raftConfig(for id: NodeID) -> RaftConfig {
        var config = RaftConfig(
            id: id,
            electionTimeoutTicks: 10,
            heartbeatTicks: 1,
            maxMessageBytes: 256,
            maxInflightMessages: 8,
            maxInflightBytes: 4_096,
            snapshotChunkBytes: 64,
            maxUncommittedBytes: 64 << 10
        )
        raftConfigOverride?(&config)
        return config
    }
}

/// A defect of the node shell re-introduced on purpose (testing only).
@_spi(Testing) public enum BrokenShellRule: String, Sendable, Hashable, CaseIterable {
    /// A sync point reports its index as a metadata-only snapshot without syncing the state
    /// machine first, so the log is compacted past the state a power loss falls back to.
    case compactPastSyncedState
    /// A voter whose raft storage was wiped starts again as a freshly bootstrapped voter
    /// instead of refusing to start.
    case rejoinWipedVoterFresh
    /// The effect interpreter lets votes and replies out before the writes before them are
    /// durable (`RaftEffectInterpreter.sendsBeforeDurable`).
    case sendBeforeDurable
}
