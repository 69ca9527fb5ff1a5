import Synchronization

/// Log storage kept in memory, for tests and the simulator. Same contract as the LMDB one.
public final class InMemoryRaftLogStorage: RaftLogStorage, Sendable {
    private let state: Mutex<RaftPersistentState>

    public init(_ initial: RaftPersistentState = RaftPersistentState()) {
        state = Mutex(initial)
    }

    public func load() throws -> RaftPersistentState {
        state.withLock { $0 }
    }

    public func write(_ batch: RaftWriteBatch) throws {
        state.withLock { stored in
            if let snapshot = batch.snapshot {
                let meta = snapshot.metadata
                let holdsLast = stored.entries.contains { $0.index == meta.index && $0.term == meta.term }
                if !holdsLast {
                    stored.entries.removeAll()
                }
                stored.snapshot = snapshot
            }
            if let first = batch.entries.first {
                stored.entries.removeAll { $0.index >= first.index }
                stored.entries.append(contentsOf: batch.entries)
            }
            if let hardState = batch.hardState {
                stored.hardState = hardState
            }
        }
    }

    public func compact(through index: UInt64) throws {
        state.withLock { stored in
            stored.entries.removeAll { $0.index <= index }
        }
    }
}
