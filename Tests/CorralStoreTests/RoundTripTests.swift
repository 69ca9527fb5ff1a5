import CorralStore
import Testing
import CorralTestSupport

@Suite("CorralStore round trips")
struct RoundTripTests {
    @Test("put, get, withValue, delete")
    func putGetDelete() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("things")
            try env.write { txn in
                try txn.put([1, 2, 3], for: Array("a".utf8), in: db)
                try txn.put([], for: Array("empty".utf8), in: db)
            }
            try env.read { txn throws in
                #expect(try txn.get(Array("a".utf8), in: db) == [1, 2, 3])
                #expect(try txn.get(Array("empty".utf8), in: db) == [])
                #expect(try txn.get(Array("missing".utf8), in: db) == nil)
                let sum = try txn.withValue(Array("a".utf8), in: db) { buffer in
                    buffer.map { $0.reduce(0) { $0 + Int($1) } }
                }
                #expect(sum == 6)
                #expect(try txn.count(in: db) == 2)
            }
            let deleted = try env.write { txn in
                (try txn.delete(Array("a".utf8), in: db), try txn.delete(Array("a".utf8), in: db))
            }
            #expect(deleted == (true, false))
            #expect(try env.read { try $0.contains(Array("a".utf8), in: db) } == false)
        }
    }

    @Test("named databases are separate, and persist across reopen")
    func namedDatabasesPersist() throws {
        try withTemporaryDirectory { dir in
            do {
                let env = try StoreEnvironment(path: dir + "/env")
                let left = try env.openDatabase("left")
                let right = try env.openDatabase("right")
                try env.write { txn in
                    try txn.put([1], for: [0], in: left)
                    try txn.put([2], for: [0], in: right)
                }
            }
            let env = try StoreEnvironment(path: dir + "/env")
            let left = try env.openDatabase("left", flags: [])
            let right = try env.openDatabase("right", flags: [])
            try env.read { txn throws in
                #expect(try txn.get([0], in: left) == [1])
                #expect(try txn.get([0], in: right) == [2])
            }
        }
    }

    @Test("integer-key databases sort native integers numerically")
    func integerKeys() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("ints", flags: [.create, .integerKey])
            let keys: [UInt64] = [300, 2, 70_000, 1]
            try env.write { txn in
                for key in keys {
                    try txn.put([UInt8(truncatingIfNeeded: key)], for: withUnsafeBytes(of: key) { Array($0) }, in: db)
                }
            }
            let order = try env.read { txn throws in
                try txn.records(in: db).map { record in
                    record.key.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                }
            }
            #expect(order == keys.sorted())
        }
    }

    @Test("big-endian keys: byte order is numeric order")
    func bigEndianKeys() {
        var generator = SeededGenerator(seed: 7)
        let values = (0..<200).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) } + [0, 1, 255, 256, .max]
        for value in values {
            #expect(BigEndianKey.decode(BigEndianKey.encode(value)) == value)
        }
        let byBytes = values.sorted { BigEndianKey.encode($0).lexicographicallyPrecedes(BigEndianKey.encode($1)) }
        #expect(byBytes == values.sorted())
        #expect(BigEndianKey.decode([1, 2, 3]) == nil)
    }

    @Test("an atomic-only commit is visible, and sync flushes it")
    func atomicOnlyCommit() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("fast")
            try env.write(durability: .atomicOnly) { txn in try txn.put([9], for: [1], in: db) }
            try env.sync()
            try env.write { txn in try txn.put([8], for: [2], in: db) }
            try env.read { txn throws in
                #expect(try txn.get([1], in: db) == [9])
                #expect(try txn.get([2], in: db) == [8])
            }
        }
    }
}
