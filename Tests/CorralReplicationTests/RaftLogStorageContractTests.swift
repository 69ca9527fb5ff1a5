import CorralRaft
import CorralReplication
import Testing

/// The `RaftLogStorage` contract, run against every implementation. Each test also reopens
/// the storage at the end and checks nothing changed (a no-op for the in-memory one).
@Suite("RaftLogStorage contract")
struct RaftLogStorageContractTests {
    @Test("a fresh storage is empty", arguments: StorageKind.allCases)
    func fresh(kind: StorageKind) throws {
        let harness = try StorageHarness(kind)
        #expect(try harness.storage.load() == RaftPersistentState())
        try harness.reopen()
        #expect(try harness.storage.load() == RaftPersistentState())
    }

    @Test("append keeps entries in order, with their payloads", arguments: StorageKind.allCases)
    func append(kind: StorageKind) throws {
        let harness = try StorageHarness(kind)
        let change = Entry(term: 2, index: 6, payload: .configChange(.addLearner(4), Membership(voters: [1], learners: [4])))
        try harness.write(entries: entries(1...5, term: 1))
        try harness.write(entries: [change] + entries(7...8, term: 2))
        let expected = entries(1...5, term: 1) + [change] + entries(7...8, term: 2)
        #expect(try harness.storage.load().entries == expected)
        try harness.reopen()
        #expect(try harness.storage.load().entries == expected)
    }

    @Test("entries overwrite the stored tail from their first index", arguments: StorageKind.allCases)
    func overwriteTail(kind: StorageKind) throws {
        let harness = try StorageHarness(kind)
        try harness.write(entries: entries(1...10, term: 1))
        try harness.write(entries: entries(4...5, term: 2))
        #expect(try harness.log() == positions(1...3, term: 1) + positions(4...5, term: 2))
        try harness.write(entries: entries(1...1, term: 3))
        #expect(try harness.log() == positions(1...1, term: 3))
        try harness.reopen()
        #expect(try harness.log() == positions(1...1, term: 3))
    }

    @Test("a snapshot whose last entry the log holds keeps the stored entries", arguments: StorageKind.allCases)
    func snapshotKeepsFollowingTail(kind: StorageKind) throws {
        let harness = try StorageHarness(kind)
        try harness.write(entries: entries(1...10, term: 1))
        try harness.write(snapshot: snapshot(at: 5, term: 1))
        let state = try harness.storage.load()
        #expect(state.snapshot == snapshot(at: 5, term: 1))
        #expect(try harness.log() == positions(1...10, term: 1))
        try harness.storage.compact(through: 5)
        #expect(try harness.log() == positions(6...10, term: 1))
        let compacted = try harness.storage.load()
        try harness.reopen()
        #expect(try harness.storage.load() == compacted)
    }

    @Test("a snapshot past the log replaces all of it", arguments: StorageKind.allCases)
    func snapshotReplacesLog(kind: StorageKind) throws {
        let harness = try StorageHarness(kind)
        try harness.write(entries: entries(1...3, term: 1))
        try harness.write(snapshot: snapshot(at: 7, term: 2))
        #expect(try harness.log().isEmpty)
        // Snapshot and entries in one batch: the snapshot applies first.
        try harness.write(entries: entries(8...9, term: 2), snapshot: snapshot(at: 7, term: 2))
        try harness.write(entries: entries(11...12, term: 3), snapshot: snapshot(at: 10, term: 3))
        #expect(try harness.log() == positions(11...12, term: 3))
        #expect(try harness.storage.load().snapshot?.metadata.index == 10)
        try harness.reopen()
        #expect(try harness.log() == positions(11...12, term: 3))
    }

    @Test("a snapshot drops a kept tail that does not follow it", arguments: StorageKind.allCases)
    func snapshotDropsGappedTail(kind: StorageKind) throws {
        let harness = try StorageHarness(kind)
        try harness.write(entries: entries(7...9, term: 1))
        try harness.write(snapshot: snapshot(at: 4, term: 1))
        #expect(try harness.log().isEmpty)
        try harness.reopen()
        #expect(try harness.log().isEmpty)
    }

    @Test("compaction drops entries through an index", arguments: StorageKind.allCases)
    func compaction(kind: StorageKind) throws {
        let harness = try StorageHarness(kind)
        try harness.write(entries: entries(1...10, term: 1), snapshot: snapshot(at: 0, term: 0))
        try harness.storage.compact(through: 4)
        #expect(try harness.log() == positions(5...10, term: 1))
        try harness.storage.compact(through: 4)
        #expect(try harness.log() == positions(5...10, term: 1))
        try harness.reopen()
        #expect(try harness.log() == positions(5...10, term: 1))
        try harness.storage.compact(through: .max)
        #expect(try harness.log().isEmpty)
    }

    @Test("hard state is replaced only when a batch carries one", arguments: StorageKind.allCases)
    func hardState(kind: StorageKind) throws {
        let harness = try StorageHarness(kind)
        try harness.write(hardState: HardState(term: 3, vote: 2, commit: 0))
        try harness.write(entries: entries(1...2, term: 3))
        #expect(try harness.storage.load().hardState == HardState(term: 3, vote: 2, commit: 0))
        try harness.write(hardState: HardState(term: 4, vote: 0, commit: 2), entries: entries(3...3, term: 4))
        try harness.reopen()
        let state = try harness.storage.load()
        #expect(state.hardState == HardState(term: 4, vote: 0, commit: 2))
        #expect(state.entries.map(\.index) == [1, 2, 3])
    }

    @Test("a bootstrap state round-trips", arguments: StorageKind.allCases)
    func bootstrap(kind: StorageKind) throws {
        let harness = try StorageHarness(kind)
        let bootstrap = RaftPersistentState.bootstrap(voters: [1, 2, 3])
        try harness.write(hardState: bootstrap.hardState, snapshot: bootstrap.snapshot)
        try harness.reopen()
        #expect(try harness.storage.load() == bootstrap)
    }
}
