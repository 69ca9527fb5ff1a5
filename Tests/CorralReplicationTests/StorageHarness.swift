import CorralRaft
import CorralReplication
import CorralStore
import Foundation

/// The storage implementations the contract suite runs against.
enum StorageKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case inMemory
    case lmdb

    var description: String { rawValue }
}

/// One storage under test, in its own temporary directory, that can be closed and reopened.
final class StorageHarness {
    let kind: StorageKind
    let directory: String
    private(set) var storage: any RaftLogStorage

    init(_ kind: StorageKind, options: StoreOptions = StoreOptions()) throws {
        self.kind = kind
        directory = try makeTemporaryDirectory()
        switch kind {
        case .inMemory: storage = InMemoryRaftLogStorage()
        case .lmdb: storage = try LMDBRaftLogStorage(directory: directory + "/raft", options: options)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Closes and reopens an LMDB storage (the in-memory one has nothing to reopen).
    func reopen() throws {
        guard kind == .lmdb else { return }
        storage = InMemoryRaftLogStorage()  // drop the old environment before reopening it
        storage = try LMDBRaftLogStorage(directory: directory + "/raft")
    }

    /// Writes a batch.
    func write(hardState: HardState? = nil, entries: [Entry] = [], snapshot: Snapshot? = nil) throws {
        try storage.write(RaftWriteBatch(hardState: hardState, entries: entries, snapshot: snapshot))
    }

    /// The stored entries' indexes and terms.
    func log() throws -> [IndexTerm] {
        try storage.load().entries.map { IndexTerm(index: $0.index, term: $0.term) }
    }
}

/// An entry's position, for compact expectations.
struct IndexTerm: Hashable, CustomStringConvertible {
    var index: UInt64
    var term: UInt64

    var description: String { "\(index)@\(term)" }
}

/// Entries `indexes` in `term`, each carrying a small command naming it.
func entries(_ indexes: ClosedRange<UInt64>, term: UInt64) -> [Entry] {
    indexes.map { Entry(term: term, index: $0, payload: .command(Array("cmd-\($0)-\(term)".utf8))) }
}

/// `IndexTerm`s for `indexes` in `term`.
func positions(_ indexes: ClosedRange<UInt64>, term: UInt64) -> [IndexTerm] {
    indexes.map { IndexTerm(index: $0, term: term) }
}

/// A snapshot at `index` in `term` with some data.
func snapshot(at index: UInt64, term: UInt64, voters: Set<NodeID> = [1, 2, 3]) -> Snapshot {
    Snapshot(
        metadata: SnapshotMetadata(index: index, term: term, membership: Membership(voters: voters)),
        data: Array("state@\(index)".utf8)
    )
}

/// A fresh, unique directory made with `mkdtemp`.
func makeTemporaryDirectory() throws -> String {
    var template = Array((NSTemporaryDirectory() + "/corral-replication-XXXXXX").utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer -> String? in
        guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
        return String(cString: base)
    }
    guard let path else { throw HarnessError(description: "mkdtemp failed: errno \(errno)") }
    return path
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
}
