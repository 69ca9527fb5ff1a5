import CorralStore
import Foundation
import Testing

@Suite("CorralStore error mapping")
struct ErrorMappingTests {
    @Test("an existing key with noOverwrite is .keyExists naming mdb_put and the database")
    func keyExists() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("raft-log")
            try env.write { txn in try txn.put([1], for: [1], in: db) }
            let error = try #require(throws: StoreError.self) {
                try env.write { txn in try txn.put([2], for: [1], in: db, noOverwrite: true) }
            }
            #expect(error.code == .keyExists)
            #expect(error.operation == "mdb_put(db=raft-log)")
            #expect(error.message.contains("MDB_KEYEXIST"))
        }
    }

    @Test("an empty key is .badValueSize")
    func emptyKey() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let db = try env.openDatabase("d")
            let error = try #require(throws: StoreError.self) {
                try env.write { txn in try txn.put([1], for: [], in: db) }
            }
            #expect(error.code == .badValueSize)
        }
    }

    @Test("opening a missing database without .create is .notFound naming mdb_dbi_open")
    func missingDatabase() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env")
            let error = try #require(throws: StoreError.self) { try env.openDatabase("nope", flags: []) }
            #expect(error.code == .notFound)
            #expect(error.operation == "mdb_dbi_open(db=nope)")
        }
    }

    @Test("too many named databases is .databasesFull")
    func databasesFull() throws {
        try withTemporaryDirectory { dir in
            let env = try StoreEnvironment(path: dir + "/env", options: StoreOptions(maxDatabases: 1))
            _ = try env.openDatabase("one")
            let error = try #require(throws: StoreError.self) { try env.openDatabase("two") }
            #expect(error.code == .databasesFull)
        }
    }

    @Test("an environment path that is a file fails with a typed error naming the path")
    func pathIsAFile() throws {
        try withTemporaryDirectory { dir in
            let file = dir + "/file"
            #expect(FileManager.default.createFile(atPath: file, contents: Data([0])))
            let error = try #require(throws: StoreError.self) { try StoreEnvironment(path: file) }
            #expect(error.operation.contains(file))
            #expect(error.code == .fileSystem)
            #expect(error.underlying != nil)
        }
    }
}
