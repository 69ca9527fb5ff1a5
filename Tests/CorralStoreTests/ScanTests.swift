import CorralStore
import Testing
import CorralTestSupport

@Suite("CorralStore ordered scans and range deletes")
struct ScanTests {
    /// An environment with keys 0..<count (big-endian), inserted in a seeded shuffled order;
    /// each value is the key's low byte.
    private func filled(_ dir: String, count: UInt64) throws -> (StoreEnvironment, StoreDatabase) {
        let env = try StoreEnvironment(path: dir + "/env")
        let db = try env.openDatabase("log")
        var generator = SeededGenerator(seed: 42)
        let keys = Array(0..<count).shuffled(using: &generator)
        try env.write { txn in
            for key in keys {
                try txn.put([UInt8(truncatingIfNeeded: key)], for: BigEndianKey.encode(key), in: db)
            }
        }
        return (env, db)
    }

    private func keys(_ env: StoreEnvironment, _ db: StoreDatabase, from: UInt64? = nil, upTo: UInt64? = nil) throws -> [UInt64] {
        try env.read { txn throws in
            try txn.records(in: db, from: from.map(BigEndianKey.encode), upTo: upTo.map(BigEndianKey.encode))
                .compactMap { BigEndianKey.decode($0.key) }
        }
    }

    @Test("a full scan is in numeric order")
    func fullScan() throws {
        try withTemporaryDirectory { dir in
            let (env, db) = try filled(dir, count: 1_000)
            #expect(try keys(env, db) == Array(0..<1_000))
        }
    }

    @Test("scans within [lower, upper)", arguments: [(UInt64(10), UInt64(20)), (0, 1), (995, 2_000), (500, 500), (2_000, 3_000)])
    func boundedScan(lower: UInt64, upper: UInt64) throws {
        try withTemporaryDirectory { dir in
            let (env, db) = try filled(dir, count: 1_000)
            let expected = Array(min(lower, 1_000)..<max(min(upper, 1_000), min(lower, 1_000)))
            #expect(try keys(env, db, from: lower, upTo: upper) == expected)
            #expect(try keys(env, db, from: lower) == Array(min(lower, 1_000)..<1_000))
        }
    }

    @Test("a scan stops when its body returns false, and cursors walk both ways")
    func earlyStopAndCursor() throws {
        try withTemporaryDirectory { dir in
            let (env, db) = try filled(dir, count: 100)
            var seen: [UInt64] = []
            try env.read { txn throws in
                try txn.scan(in: db, from: BigEndianKey.encode(40)) { key, value in
                    #expect(value.count == 1)
                    seen.append(BigEndianKey.decode(key) ?? .max)
                    return seen.count < 3
                }
                try txn.withCursor(in: db) { cursor throws in
                    #expect(try cursor.last())
                    #expect(try cursor.current().flatMap { BigEndianKey.decode($0.key) } == 99)
                    #expect(try cursor.previous())
                    #expect(try cursor.current().flatMap { BigEndianKey.decode($0.key) } == 98)
                    #expect(try cursor.seek(exactly: BigEndianKey.encode(1_000)) == false)
                    #expect(try cursor.seek(atOrAfter: BigEndianKey.encode(1_000)) == false)
                }
            }
            #expect(seen == [40, 41, 42])
        }
    }

    @Test("range delete removes exactly [lower, upper), across many pages")
    func rangeDelete() throws {
        try withTemporaryDirectory { dir in
            let (env, db) = try filled(dir, count: 5_000)
            let deleted = try env.write { txn in
                try txn.deleteRange(in: db, from: BigEndianKey.encode(1_000), upTo: BigEndianKey.encode(4_000))
            }
            #expect(deleted == 3_000)
            #expect(try keys(env, db) == Array(0..<1_000) + Array(4_000..<5_000))
            let tail = try env.write { txn in try txn.deleteRange(in: db, from: BigEndianKey.encode(4_500)) }
            #expect(tail == 500)
            let head = try env.write { txn in try txn.deleteRange(in: db, upTo: BigEndianKey.encode(10)) }
            #expect(head == 10)
            #expect(try keys(env, db) == Array(10..<1_000) + Array(4_000..<4_500))
            try env.write { txn in try txn.removeAll(in: db) }
            #expect(try keys(env, db).isEmpty)
        }
    }
}
