import CorralRaft
import CorralStore

/// Raft log storage in one LMDB environment, with the same contract as
/// `InMemoryRaftLogStorage`.
///
/// Layout: the `raft-log` database maps each entry's big-endian index to its encoded `Entry`,
/// so key order is log order; `raft-state` holds the hard state, the snapshot metadata and the
/// snapshot data under fixed keys. Every `write` and `compact` is one durable write
/// transaction. Entries in a batch must be contiguous and increasing, as Raft produces them.
public final class LMDBRaftLogStorage: RaftLogStorage, Sendable {
    /// The environment the log lives in.
    public let environment: StoreEnvironment
    let log: StoreDatabase
    let state: StoreDatabase

    /// Database names, so tools can find the log.
    public enum Names {
        /// Entries by big-endian index.
        public static let log = "raft-log"
        /// Hard state and snapshot.
        public static let state = "raft-state"
    }

    enum StateKey {
        static let hardState = Array("hard-state".utf8)
        static let snapshotMetadata = Array("snapshot-metadata".utf8)
        static let snapshotData = Array("snapshot-data".utf8)
    }

    /// Opens (creating if needed) the log's databases in `environment`, which may also hold
    /// other databases.
    public init(environment: StoreEnvironment) throws {
        self.environment = environment
        (log, state) = try ReplicationError.wrapping("LMDBRaftLogStorage.open(\(environment.path))") {
            (try environment.openDatabase(Names.log), try environment.openDatabase(Names.state))
        }
    }

    /// Opens (creating if needed) the log storage in `directory`.
    public convenience init(directory: String, options: StoreOptions = StoreOptions()) throws {
        let environment = try ReplicationError.wrapping("LMDBRaftLogStorage.open(\(directory))") {
            try StoreEnvironment(path: directory, options: options)
        }
        try self.init(environment: environment)
    }

    // MARK: - RaftLogStorage

    /// Everything stored, read in one read transaction.
    public func load() throws -> RaftPersistentState {
        try ReplicationError.wrapping("LMDBRaftLogStorage.load") {
            try environment.read { txn in
                RaftPersistentState(
                    hardState: try loadHardState(txn),
                    snapshot: try loadSnapshot(txn),
                    entries: try loadEntries(txn)
                )
            }
        }
    }

    /// Writes `batch` in one durable write transaction: the snapshot, then the entries
    /// (replacing the log from the first one's index), then the hard state.
    public func write(_ batch: RaftWriteBatch) throws {
        try write(group: [batch])
    }

    /// Writes several batches in order as one durable write transaction (group commit).
    public func write(group batches: [RaftWriteBatch]) throws {
        _ = try writeTimed(group: batches)
    }

    /// `write(group:)`, timed: how long staging the batches in the transaction took, and how
    /// long committing it (LMDB's write and fsync) took; nil when there was nothing to write.
    func writeTimed(group batches: [RaftWriteBatch]) throws -> (append: Duration, sync: Duration)? {
        guard batches.contains(where: { !$0.isEmpty }) else { return nil }
        let clock = ContinuousClock()
        let start = clock.now
        let staged = try ReplicationError.wrapping("LMDBRaftLogStorage.write(\(batches.count) batches)") {
            try environment.write { txn in
                for batch in batches where !batch.isEmpty {
                    try apply(batch, txn)
                }
                try Failpoints.pass(Failpoints.raftFsync, path: environment.path)
                return clock.now
            }
        }
        return (staged - start, clock.now - staged)
    }

    private func apply(_ batch: RaftWriteBatch, _ txn: borrowing WriteTransaction) throws {
        if let snapshot = batch.snapshot {
            try replace(with: snapshot, txn)
        }
        if let first = batch.entries.first {
            try txn.deleteRange(in: log, from: BigEndianKey.encode(first.index))
            for entry in batch.entries {
                try txn.put(entry.encoded(), for: BigEndianKey.encode(entry.index), in: log)
            }
        }
        if let hardState = batch.hardState {
            try txn.put(hardState.encoded(), for: StateKey.hardState, in: state)
        }
    }

    /// Drops entries up to and including `index`, in one durable write transaction.
    public func compact(through index: UInt64) throws {
        try ReplicationError.wrapping("LMDBRaftLogStorage.compact(through: \(index))") {
            try environment.write { txn in
                try txn.deleteRange(in: log, upTo: Self.keyAfter(index))
            }
        }
    }

    // MARK: - Write steps

    /// Stores `snapshot`. The stored entries stay if the log holds the snapshot's last entry
    /// (same index and term); otherwise they belong to another history and are all dropped,
    /// as `InMemoryRaftLogStorage` does.
    private func replace(with snapshot: Snapshot, _ txn: borrowing WriteTransaction) throws {
        try Failpoints.pass(Failpoints.raftSnapshotWrite, path: environment.path)
        try txn.put(snapshot.metadata.encoded(), for: StateKey.snapshotMetadata, in: state)
        try txn.put(snapshot.data, for: StateKey.snapshotData, in: state)
        let meta = snapshot.metadata
        let stored = try txn.get(BigEndianKey.encode(meta.index), in: log).map { try Entry(decoding: $0) }
        if stored?.term != meta.term {
            try txn.removeAll(in: log)
        }
    }

    /// The key just above `index`, or nil (no bound) when `index` is the largest.
    static func keyAfter(_ index: UInt64) -> [UInt8]? {
        index == .max ? nil : BigEndianKey.encode(index + 1)
    }
}
