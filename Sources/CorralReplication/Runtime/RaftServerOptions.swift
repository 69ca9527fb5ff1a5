/// Timing, size and compaction settings of a running Raft node.
public struct RaftServerOptions: Sendable, Hashable {
    /// One logical tick. Heartbeats and election timeouts are counted in ticks.
    public var tickInterval: Duration
    /// Take a state machine snapshot after this many applied entries.
    public var snapshotEveryEntries: UInt64
    /// Entries kept in the log behind a snapshot, so followers a little behind need no snapshot.
    public var trailingEntries: UInt64
    /// How long a node that lost office keeps waiting for the log to show the outcome of a
    /// proposal it had appended (a few election timeouts). Past it the proposal is answered
    /// `.outcomeUnknown`.
    public var outcomeWait: Duration
    /// The transport's frame limit (`TransportOptions.maxFrameBytes`): a command whose entry
    /// could not travel in one frame is refused with `.tooLarge` before it reaches the log.
    public var maxFrameBytes: Int
    /// The most entries, and about the most command bytes, applied in one state-machine write
    /// (at least one entry always goes).
    public var applyBatchMaxEntries: Int
    public var applyBatchMaxBytes: Int

    public init(
        tickInterval: Duration = .milliseconds(10),
        snapshotEveryEntries: UInt64 = 100_000,
        trailingEntries: UInt64 = 5_000,
        outcomeWait: Duration = .seconds(3),
        maxFrameBytes: Int = 64 << 20,
        applyBatchMaxEntries: Int = 10_000,
        applyBatchMaxBytes: Int = 16 << 20
    ) {
        self.tickInterval = tickInterval
        self.snapshotEveryEntries = snapshotEveryEntries
        self.trailingEntries = trailingEntries
        self.outcomeWait = outcomeWait
        self.maxFrameBytes = maxFrameBytes
        self.applyBatchMaxEntries = applyBatchMaxEntries
        self.applyBatchMaxBytes = applyBatchMaxBytes
    }
}

/// A snapshot of a running node's state, for status pages and operators.
public struct RaftStatus: Sendable, Hashable, Codable {
    public struct Follower: Sendable, Hashable, Codable {
        public var id: UInt64
        public var match: UInt64
        public var next: UInt64
        public var state: String
        public var lag: UInt64
        public var learner: Bool
        public var active: Bool
    }

    /// The role of a node that stopped taking part after a failure it cannot recover from
    /// (its log could not be written); `failure` says why.
    public static let stoppedRole = "stopped"

    public var id: UInt64
    /// follower, preCandidate, candidate, leader, or `stoppedRole`.
    public var role: String
    public var term: UInt64
    public var leader: UInt64
    public var commitIndex: UInt64
    public var appliedIndex: UInt64
    public var lastIndex: UInt64
    public var firstIndex: UInt64
    public var snapshotIndex: UInt64
    public var voters: [UInt64]
    public var learners: [UInt64]
    public var followers: [Follower]
    /// Set when the node stopped accepting writes, with the reason.
    public var failure: String?
}
