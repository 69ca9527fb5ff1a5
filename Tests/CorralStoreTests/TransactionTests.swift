import CorralStore
import Testing

@Suite("CorralStore transactions")
struct TransactionTests {
    struct Boom: Error {}

    @Test("a write transaction aborts when its closure throws")
    func abortOnThrow() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("t")
            try env.write { txn in try txn.put([1], for: [1], in: db) }
            #expect(throws: Boom.self) {
                try env.write { txn in
                    try txn.put([2], for: [2], in: db)
                    try txn.delete([1], in: db)
                    throw Boom()
                }
            }
            try env.read { txn throws in
                #expect(try txn.get([1], in: db) == [1])
                #expect(try txn.get([2], in: db) == nil)
            }
        }
    }

    @Test("a write sees its own writes; readers see only committed ones")
    func isolation() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("t")
            try env.write { txn in
                try txn.put([7], for: [1], in: db)
                #expect(try txn.get([1], in: db) == [7])
                #expect(try env.read { try $0.get([1], in: db) } == nil)
            }
            #expect(try env.read { try $0.get([1], in: db) } == [7])
        }
    }

    @Test("concurrent writers are serialized and none is lost")
    func concurrentWriters() async throws {
        try await withTemporaryDirectoryAsync { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("counter")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<50 {
                            try env.write(durability: .atomicOnly) { txn in
                                let current = try txn.get([0], in: db).flatMap(BigEndianKey.decode) ?? 0
                                try txn.put(BigEndianKey.encode(current + 1), for: [0], in: db)
                            }
                            _ = try env.read { try $0.get([0], in: db) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try env.read { try $0.get([0], in: db) }.flatMap(BigEndianKey.decode) == 200)
        }
    }
}
