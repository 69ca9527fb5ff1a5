/// Timing and compaction settings of a running Raft node.
public struct RaftServerOptions: Sendable, Hashable {
    /// One logical tick. Heartbeats and election timeouts are counted in ticks.
    public var tickInterval: Duration
    /// Take a state machine snapshot after this many applied entries.
    public var snapshotEveryEntries: UInt64
    /// Entries kept in the log behind a snapshot, so followers a little behind need no snapshot.
    public var trailingEntries: UInt64

    public init(
        tickInterval: Duration = .milliseconds(10),
        snapshotEveryEntries: UInt64 = 100_000,
        trailingEntries: UInt64 = 5_000
    ) {
        self.tickInterval = tickInterval
        self.snapshotEveryEntries = snapshotEveryEntries
        self.trailingEntries = trailingEntries
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

    public var id: UInt64
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
