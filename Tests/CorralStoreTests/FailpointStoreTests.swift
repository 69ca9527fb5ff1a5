import CorralStore
import Foundation
import Testing

/// The store honours failpoints armed for its directory (each test scopes its failpoints to
/// its own temporary directory, so tests running at the same time are not hit).
@Suite("CorralStore failpoints")
struct FailpointStoreTests {
    private func armed<T>(_ points: [Failpoint], _ body: () throws -> T) rethrows -> T {
        Failpoints.arm(points)
        defer { Failpoints.disarm(points) }
        return try body()
    }

    @Test("an injected commit error aborts the transaction: a clear error, nothing of it written, what was committed kept")
    func commitErrorWritesNothing() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("kv")
            try env.write { try $0.put([1], for: Array("acknowledged".utf8), in: db) }
            let point = Failpoint(name: Failpoints.lmdbCommit, action: .error(28), count: 1, pathPrefix: dir)
            let error = try armed([point]) {
                try #require(throws: StoreError.self) {
                    try env.write { try $0.put([2], for: Array("refused".utf8), in: db) }
                }
            }
            #expect(error.code == .system(28))
            #expect(error.description.contains("No space left on device"), "\(error)")
            #expect(error.description.contains("injected by the failpoint lmdb.commit=error(ENOSPC)"), "\(error)")
            #expect(try env.read { try $0.get(Array("acknowledged".utf8), in: db) } == [1])
            #expect(try env.read { try $0.get(Array("refused".utf8), in: db) } == nil)
            // The environment stays usable once the fault is gone.
            try env.write { try $0.put([3], for: Array("after".utf8), in: db) }
            #expect(try env.read { try $0.count(in: db) } == 2)
        }
    }

    @Test("count limits how often a failpoint fires; path scopes it to one store")
    func countAndPath() throws {
        try withTemporaryDirectory { dir in
            let hit = try StoreEnvironment(path: dir + "/hit")
            let spared = try StoreEnvironment(path: dir + "/spared")
            let hitDB = try hit.openDatabase("kv"), sparedDB = try spared.openDatabase("kv")
            let point = Failpoint(name: Failpoints.lmdbCommit, action: .error(5), count: 2, pathPrefix: dir + "/hit")
            try armed([point]) {
                try spared.write { try $0.put([1], for: [1], in: sparedDB) }
                #expect(throws: StoreError.self) { try hit.write { try $0.put([1], for: [1], in: hitDB) } }
                #expect(throws: StoreError.self) { try hit.write { try $0.put([1], for: [2], in: hitDB) } }
                try hit.write { try $0.put([1], for: [3], in: hitDB) }
            }
            #expect(try hit.read { try $0.count(in: hitDB) } == 1)
            #expect(try spared.read { try $0.count(in: sparedDB) } == 1)
        }
    }

    @Test("an injected sleep delays the commit and then commits")
    func sleepDelays() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("kv")
            let point = Failpoint(name: Failpoints.lmdbCommit, action: .sleep(.milliseconds(200)), pathPrefix: dir)
            let clock = ContinuousClock()
            let took = try armed([point]) {
                try clock.measure { try env.write { try $0.put([1], for: [1], in: db) } }
            }
            #expect(took >= .milliseconds(200))
            #expect(try env.read { try $0.count(in: db) } == 1)
        }
    }

    @Test("a probability below one fires on some passes and not on others")
    func probability() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("kv")
            let point = Failpoint(name: Failpoints.lmdbCommit, action: .error(5), probability: 0.5, pathPrefix: dir)
            var failed = 0
            armed([point]) {
                for key in UInt8(0)..<100 {
                    do { try env.write { try $0.put([1], for: [key], in: db) } } catch { failed += 1 }
                }
            }
            // 100 passes at p = 0.5: outside 10...90 has a chance below 1e-15.
            #expect((10...90).contains(failed), "\(failed) of 100 failed")
            #expect(try env.read { try $0.count(in: db) } == 100 - failed)
        }
    }
}
