import CorralStore
import Testing

@Suite("CorralStore map full")
struct MapFullTests {
    /// 256 values of 4 KiB: about 1 MiB, more than a 256 KiB map holds.
    private func writeMegabyte(_ txn: borrowing WriteTransaction, _ db: StoreDatabase) throws {
        for key in UInt64(0)..<256 {
            try txn.put([UInt8](repeating: UInt8(key & 0xFF), count: 4_096), for: BigEndianKey.encode(key), in: db)
        }
    }

    @Test("a full map grows up to the ceiling and the whole closure is retried")
    func growsToCeiling() throws {
        try withTemporaryDirectory { dir in
            let options = StoreOptions(mapSizeBytes: 256 << 10, maxMapSizeBytes: 8 << 20)
            let env = try StoreEnvironment(path: dir + "/env", options: options)
            let db = try env.openDatabase("big")
            var attempts = 0
            try env.write { txn in
                attempts += 1
                try writeMegabyte(txn, db)
            }
            #expect(attempts > 1)
            #expect(env.currentMapSizeBytes > 256 << 10)
            #expect(env.currentMapSizeBytes <= 8 << 20)
            #expect(try env.read { try $0.count(in: db) } == 256)
        }
    }

    @Test("at the ceiling a full map throws .mapFull, writes nothing, and the env stays usable")
    func typedErrorAtCeiling() throws {
        try withTemporaryDirectory { dir in
            let options = StoreOptions(mapSizeBytes: 256 << 10, maxMapSizeBytes: 256 << 10)
            let env = try StoreEnvironment(path: dir + "/env", options: options)
            let db = try env.openDatabase("big")
            try env.write { txn in try txn.put([1], for: Array("before".utf8), in: db) }
            do {
                try env.write { txn in
                    try txn.put([2], for: Array("partial".utf8), in: db)
                    // Swallowing the error must not let a half-written transaction commit.
                    try? writeMegabyte(txn, db)
                }
                Issue.record("expected .mapFull")
            } catch let error as StoreError {
                #expect(error.code == .mapFull)
                #expect(error.operation == "mdb_put(db=big)")
                #expect(error.description.contains("MDB_MAP_FULL"))
                #expect(error.description.contains("ceiling"))
            }
            try env.write { txn in try txn.put([3], for: Array("after".utf8), in: db) }
            try env.read { txn throws in
                #expect(try txn.get(Array("before".utf8), in: db) == [1])
                #expect(try txn.get(Array("partial".utf8), in: db) == nil)
                #expect(try txn.get(Array("after".utf8), in: db) == [3])
                #expect(try txn.count(in: db) == 2)
            }
        }
    }

    @Test("the map grows safely while other threads read")
    func growsUnderConcurrentReads() async throws {
        try await withTemporaryDirectoryAsync { dir in
            let options = StoreOptions(mapSizeBytes: 256 << 10, maxMapSizeBytes: 32 << 20)
            let env = try StoreEnvironment(path: dir + "/env", options: options)
            let db = try env.openDatabase("grow")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for batch in UInt64(0)..<16 {
                        try env.write { txn in
                            for key in batch * 64..<(batch + 1) * 64 {
                                try txn.put([UInt8](repeating: 1, count: 4_096), for: BigEndianKey.encode(key), in: db)
                            }
                        }
                    }
                }
                for _ in 0..<3 {
                    group.addTask {
                        for _ in 0..<300 {
                            let count = try env.read { txn in try txn.count(in: db) }
                            #expect(count % 64 == 0)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try env.read { try $0.count(in: db) } == 1_024)
            #expect(env.currentMapSizeBytes > 256 << 10)
        }
    }
}
