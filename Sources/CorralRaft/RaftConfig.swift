/// A Raft node's settings. Times are in ticks of the shell's clock.
public struct RaftConfig: Sendable, Hashable {
    public var id: NodeID
    /// The election timeout is drawn uniformly from [electionTimeoutTicks, 2 × electionTimeoutTicks).
    public var electionTimeoutTicks: Int
    public var heartbeatTicks: Int
    public var preVote: Bool
    public var checkQuorum: Bool
    /// The most entry bytes in one AppendEntries (at least one entry is always sent).
    public var maxMessageBytes: Int
    /// Per-follower flow control: AppendEntries in flight at once, and their bytes.
    public var maxInflightMessages: Int
    public var maxInflightBytes: Int
    /// The size of one InstallSnapshot chunk.
    public var snapshotChunkBytes: Int
    /// A proposal is refused while the leader's unreplicated tail is this large.
    public var maxUncommittedBytes: Int
    /// Deliberately broken safety rules, for tests that prove the checkers catch them.
    /// Never set outside tests.
    @_spi(Testing) public var brokenRules: Set<BrokenRule>

    public init(
        id: NodeID,
        electionTimeoutTicks: Int = 10,
        heartbeatTicks: Int = 1,
        preVote: Bool = true,
        checkQuorum: Bool = true,
        maxMessageBytes: Int = 1 << 20,
        maxInflightMessages: Int = 256,
        maxInflightBytes: Int = 32 << 20,
        snapshotChunkBytes: Int = 1 << 20,
        maxUncommittedBytes: Int = 64 << 20
    ) {
        self.id = id
        self.electionTimeoutTicks = electionTimeoutTicks
        self.heartbeatTicks = heartbeatTicks
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.maxMessageBytes = maxMessageBytes
        self.maxInflightMessages = maxInflightMessages
        self.maxInflightBytes = maxInflightBytes
        self.snapshotChunkBytes = snapshotChunkBytes
        self.maxUncommittedBytes = maxUncommittedBytes
        self.brokenRules = []
    }
}

/// Safety rules a test can break on purpose to show that the simulator's checkers bite.
@_spi(Testing) public enum BrokenRule: String, Sendable, Hashable, CaseIterable {
    /// Commit an entry of an earlier term by counting replicas (Raft paper Figure 8).
    case commitPreviousTermByCounting
    /// Grant votes without checking that the candidate's log is up to date.
    case voteWithoutLogCheck
    /// Acknowledge appended entries before they are durable.
    case acknowledgeBeforeDurable
    /// Count the candidate's own vote the moment it campaigns, before its term and vote are
    /// durable (a lone voter leads, and its learners take entries, at once; issue 13 defect 3).
    case countSelfVoteBeforeDurable
    /// Send snapshot chunks from whatever `latestSnapshot` is when each chunk goes out, even a
    /// metadata-only one (restarting at offset 0 with `totalBytes` 0), and let a follower
    /// install a snapshot of zero bytes above index 0 (issue 13 defect 2).
    case sendMetadataOnlySnapshot
    /// Campaign at once on the first `peerUnreachable` report about the leader, staggered by
    /// rank one heartbeat apart and without jitter (issue 13 defect 7).
    case campaignOnSingleRefusal
    /// Accept damaged state silently, as before issue 13 (defect 6): at start, clamp the
    /// commit and applied indexes to the last stored entry and drop stored entries that do
    /// not form a log with the snapshot, instead of throwing `RaftStateError`; on an append
    /// or a snapshot, do not compare the leader's entries with committed ones (an append
    /// below the commit index is answered with the commit index, a snapshot at or below it
    /// as installed), instead of stopping with `.fatal`.
    case acceptCommittedConflict
}
