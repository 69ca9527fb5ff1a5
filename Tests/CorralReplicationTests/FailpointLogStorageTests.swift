import CorralRaft
import CorralReplication
import CorralStore
import Testing

/// The Raft log's failpoints (`raft.fsync`, `raft.snapshot.write`), each scoped to the test's
/// own directory so that other tests running at the same time are not hit.
@Suite("LMDBRaftLogStorage failpoints")
struct FailpointLogStorageTests {
    @Test("an injected fsync error fails the write with a clear error and loses no earlier write, also after a reopen")
    func fsyncErrorLosesNothingDurable() throws {
        let harness = try StorageHarness(.lmdb)
        try harness.write(hardState: HardState(term: 1, vote: 1, commit: 2), entries: entries(1...3, term: 1))
        let durable = try harness.storage.load()
        let point = Failpoint(name: Failpoints.raftFsync, action: .error(28), pathPrefix: harness.directory)
        Failpoints.arm([point])
        let error: ReplicationError?
        do {
            defer { Failpoints.disarm([point]) }
            error = #expect(throws: ReplicationError.self) {
                try harness.write(hardState: HardState(term: 2, vote: 2, commit: 3), entries: entries(4...6, term: 2))
            }
        }
        #expect(error?.code == .store)
        #expect((error?.underlying as? StoreError)?.code == .system(28))
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("LMDBRaftLogStorage.write") && text.contains("No space left on device"), "\(text)")
        #expect(text.contains("raft.fsync=error(ENOSPC)"), "\(text)")
        #expect(try harness.storage.load() == durable)
        try harness.reopen()
        #expect(try harness.storage.load() == durable)
        // With the fault gone, the same write goes through.
        try harness.write(hardState: HardState(term: 2, vote: 2, commit: 3), entries: entries(4...6, term: 2))
        #expect(try harness.storage.load().entries.count == 6)
    }

    @Test("an injected snapshot-write error keeps the old log and no snapshot")
    func snapshotErrorKeepsTheLog() throws {
        let harness = try StorageHarness(.lmdb)
        try harness.write(hardState: HardState(term: 1, vote: 1, commit: 5), entries: entries(1...5, term: 1))
        let durable = try harness.storage.load()
        let point = Failpoint(name: Failpoints.raftSnapshotWrite, action: .error(5), count: 1, pathPrefix: harness.directory)
        Failpoints.arm([point])
        defer { Failpoints.disarm([point]) }
        #expect(throws: ReplicationError.self) { try harness.write(snapshot: snapshot(at: 9, term: 2)) }
        #expect(try harness.storage.load() == durable)
        #expect(try harness.storage.load().snapshot == nil)
        // The failpoint fired its one time; the next snapshot is stored.
        try harness.write(snapshot: snapshot(at: 9, term: 2))
        #expect(try harness.storage.load().snapshot?.metadata.index == 9)
    }

    @Test("an injected fsync sleep slows the durable write by that much")
    func fsyncSleepSlows() throws {
        let harness = try StorageHarness(.lmdb)
        let point = Failpoint(name: Failpoints.raftFsync, action: .sleep(.milliseconds(150)), pathPrefix: harness.directory)
        Failpoints.arm([point])
        defer { Failpoints.disarm([point]) }
        let took = try ContinuousClock().measure { try harness.write(entries: entries(1...3, term: 1)) }
        #expect(took >= .milliseconds(150))
        #expect(try harness.storage.load().entries.count == 3)
    }
}
