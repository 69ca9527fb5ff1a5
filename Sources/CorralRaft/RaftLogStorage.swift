/// What a node finds in its storage when it starts.
public struct RaftPersistentState: Sendable, Hashable {
    public var hardState: HardState
    /// The latest snapshot, if any. A new cluster is bootstrapped with an empty snapshot at
    /// index 0 whose metadata holds the initial membership; a node that joins an existing
    /// cluster starts with no snapshot and learns the membership from the leader.
    public var snapshot: Snapshot?
    /// The entries after the snapshot, contiguous.
    public var entries: [Entry]

    public init(hardState: HardState = HardState(), snapshot: Snapshot? = nil, entries: [Entry] = []) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }

    /// The state of a fresh member of a new cluster with these voters.
    public static func bootstrap(voters: Set<NodeID>) -> RaftPersistentState {
        let metadata = SnapshotMetadata(index: 0, term: 0, membership: Membership(voters: voters))
        return RaftPersistentState(snapshot: Snapshot(metadata: metadata, data: []))
    }
}

/// One atomic, durable write to the log storage.
public struct RaftWriteBatch: Sendable, Hashable {
    public var hardState: HardState?
    /// Replaces the stored log from the first entry's index on.
    public var entries: [Entry]
    /// Stores the snapshot, applied before `entries`. If the stored log holds the snapshot's
    /// last entry (same index and term), the stored entries are kept (compaction removes them
    /// later); otherwise the whole stored log is dropped, since it belongs to another history.
    public var snapshot: Snapshot?

    public init(hardState: HardState? = nil, entries: [Entry] = [], snapshot: Snapshot? = nil) {
        self.hardState = hardState
        self.entries = entries
        self.snapshot = snapshot
    }

    public var isEmpty: Bool { hardState == nil && entries.isEmpty && snapshot == nil }
}

/// Durable storage for a Raft node's term, vote, log and snapshot.
///
/// `write` is atomic and durable when it returns: after a crash, storage holds either the
/// whole batch or none of it. Implementations: `InMemoryRaftLogStorage` (tests, simulation)
/// and `LMDBRaftLogStorage` in CorralReplication.
public protocol RaftLogStorage: AnyObject, Sendable {
    /// Everything stored, to restart a node.
    func load() throws -> RaftPersistentState
    /// Write a batch atomically and durably.
    func write(_ batch: RaftWriteBatch) throws
    /// Write several batches, in order, as one atomic and durable write (group commit).
    func write(group batches: [RaftWriteBatch]) throws
    /// Drop entries up to and including `index`; a stored snapshot must cover them.
    func compact(through index: UInt64) throws
}

extension RaftLogStorage {
    /// The default group write writes each batch in turn; an implementation with
    /// transactions overrides it with one transaction and one sync.
    public func write(group batches: [RaftWriteBatch]) throws {
        for batch in batches { try write(batch) }
    }
}
