import CorralRaft
import CorralReplication
import CorralStore
import Foundation
import Testing

@Suite("LMDBRaftLogStorage")
struct LMDBRaftLogStorageTests {
    @Test("a batch of many entries, a snapshot and a hard state is one write transaction")
    func batchIsOneTransaction() throws {
        let harness = try StorageHarness(.lmdb)
        let storage = try #require(harness.storage as? LMDBRaftLogStorage)
        try harness.write(entries: entries(1...100, term: 1))
        let before = try storage.environment.lastTransactionID()
        try harness.write(
            hardState: HardState(term: 2, vote: 1, commit: 50),
            entries: entries(51...5_050, term: 2),
            snapshot: snapshot(at: 50, term: 1)
        )
        #expect(try storage.environment.lastTransactionID() == before + 1)
        #expect(try harness.storage.load().entries.count == 5_050)
    }

    @Test("a batch that cannot fit writes nothing at all")
    func failedBatchWritesNothing() throws {
        let options = StoreOptions(mapSizeBytes: 256 << 10, maxMapSizeBytes: 256 << 10)
        let harness = try StorageHarness(.lmdb, options: options)
        try harness.write(hardState: HardState(term: 1, vote: 1, commit: 0), entries: entries(1...10, term: 1))
        let before = try harness.storage.load()
        let big = (11...400).map { Entry(term: 2, index: UInt64($0), payload: .command(Array(repeating: 7, count: 4_096))) }
        let error = try #require(throws: ReplicationError.self) {
            try harness.write(hardState: HardState(term: 2, vote: 2, commit: 5), entries: entries(5...5, term: 2) + big)
        }
        #expect(error.code == .store)
        #expect((error.underlying as? StoreError)?.code == .mapFull)
        #expect(error.description.contains("LMDBRaftLogStorage.write"))
        #expect(try harness.storage.load() == before)
    }
}
