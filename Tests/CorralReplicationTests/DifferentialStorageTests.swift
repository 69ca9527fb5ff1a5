import CorralRaft
import CorralReplication
import Testing
import CorralTestSupport

/// Drives the in-memory and LMDB storages with the same seeded random operations and checks
/// they always load the same state, so the LMDB one matches the reference exactly.
@Suite("RaftLogStorage differential")
struct DifferentialStorageTests {
    @Test("LMDB matches in-memory on random batches", arguments: [1, 2, 3] as [UInt64])
    func matchesReference(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let reference = try StorageHarness(.inMemory)
        let lmdb = try StorageHarness(.lmdb)
        var term: UInt64 = 1
        for step in 0..<150 {
            let state = try reference.storage.load()
            let snapshotIndex = state.snapshot?.metadata.index ?? 0
            let lastIndex = state.entries.last?.index ?? snapshotIndex
            let batch: RaftWriteBatch
            switch UInt64.random(in: 0..<10, using: &generator) {
            case 0..<5:
                // Append or overwrite from a random point at or after the snapshot.
                term += UInt64.random(in: 0...1, using: &generator)
                let first = UInt64.random(in: snapshotIndex + 1...lastIndex + 1, using: &generator)
                let count = UInt64.random(in: 1...8, using: &generator)
                batch = RaftWriteBatch(entries: entries(first...first + count - 1, term: term))
            case 5..<7:
                let index = UInt64.random(in: snapshotIndex...lastIndex + 3, using: &generator)
                batch = RaftWriteBatch(snapshot: snapshot(at: index, term: term))
            case 7..<9:
                let hard = HardState(term: term, vote: UInt64.random(in: 0...3, using: &generator), commit: lastIndex)
                batch = RaftWriteBatch(hardState: hard)
            default:
                let through = UInt64.random(in: 0...lastIndex + 1, using: &generator)
                try reference.storage.compact(through: through)
                try lmdb.storage.compact(through: through)
                continue
            }
            try reference.storage.write(batch)
            try lmdb.storage.write(batch)
            if step % 25 == 0 { try lmdb.reopen() }
            #expect(try lmdb.storage.load() == reference.storage.load(), "seed \(seed) step \(step)")
        }
    }
}

