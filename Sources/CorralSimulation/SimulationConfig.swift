import CorralRaft

/// One simulation run: the seed, the cluster, the faults and how long to inject them.
public struct SimulationConfig: Sendable {
    /// The seed every generator of the run derives from.
    public var seed: UInt64
    /// The number of nodes: 3 or 5.
    public var nodes: Int
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

    /// A run with the given seed; the defaults inject every fault for 4 s of virtual time.
    public init(
        seed: UInt64,
        nodes: Int = 3,
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
        self.faults = faults
        self.durationTicks = durationTicks
        self.livenessTicks = livenessTicks
        self.tickMicros = tickMicros
        self.livenessCommands = livenessCommands
        self.trace = trace
        self.raftConfigOverride = raftConfigOverride
    }

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
