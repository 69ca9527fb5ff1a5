import CorralModel
import CorralRaft
import CorralReplication
import CorralStore
import Testing

@testable import CorralMaster

/// With a store interval, batches are applied in memory and written to LMDB later, together.
@Suite struct MasterStateMachineDeferredStoreTests {
    let helpers = MasterStateMachineTests()

    func open(_ path: String, interval: Duration = .seconds(3_600)) throws -> MasterStateMachine {
        try MasterStateMachine(environment: StoreEnvironment(path: path), storeInterval: interval)
    }

    func delete(_ key: String) -> [UInt8] {
        KeyValueStateMachine.Command.delete(key: Array(key.utf8)).encoded
    }

    func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test("reads see applied batches before the store has them; store() writes them all with the last index")
    func readsSeeMemoryThenStoreWritesAll() throws {
        try helpers.withScratch { scratch in
            let path = scratch.path + "/state"
            let machine = try open(path)
            _ = try machine.apply(helpers.entries([helpers.put("k/a", "1"), helpers.put("k/b", "1")], from: 1))
            try machine.store()
            _ = try machine.apply(helpers.entries([helpers.put("k/a", "2"), delete("k/b"), helpers.put("k/c", "3")], from: 3))
            _ = try machine.apply(helpers.entries(
                [RegistryCommand.subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 10).encoded], from: 6))

            // Memory: the newest values, the deletion hides the stored key.
            #expect(text(try machine.value(for: Array("k/a".utf8))) == "2")
            #expect(try machine.value(for: Array("k/b".utf8)) == nil)
            #expect(try machine.entries(withPrefix: Array("k/".utf8)).map { text($0.0) } == ["k/a", "k/c"])
            #expect(machine.registry.frameworks[FrameworkID("f1")] != nil)
            // The store: still the first batch.
            #expect(try machine.appliedIndex() == 2)
            #expect(try open(path + "-unused").appliedIndex() == 0)

            try machine.store()
            #expect(try machine.appliedIndex() == 6)
            let reopened = try MasterStateMachine(environment: machine.environment)
            #expect(text(try reopened.value(for: Array("k/a".utf8))) == "2")
            #expect(try reopened.value(for: Array("k/b".utf8)) == nil)
            #expect(reopened.registry.frameworks[FrameworkID("f1")] != nil)
        }
    }

    @Test("what was not stored is not in the store: a restart applies it again from the log")
    func unstoredBatchesAreLostOnRestartAndReplayed() throws {
        try helpers.withScratch { scratch in
            let path = scratch.path + "/state"
            let batchOne = helpers.entries([helpers.put("k/a", "1")], from: 1)
            let batchTwo = helpers.entries(
                [RegistryCommand.subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 10).encoded, helpers.put("k/a", "2")],
                from: 2)
            do {
                let machine = try open(path)
                _ = try machine.apply(batchOne)
                try machine.store()
                _ = try machine.apply(batchTwo)
            }
            let restarted = try open(path)
            #expect(try restarted.appliedIndex() == 1)
            #expect(restarted.registry.frameworks.isEmpty)
            #expect(text(try restarted.value(for: Array("k/a".utf8))) == "1")
            // The Raft log replays from the stored index.
            _ = try restarted.apply(batchTwo)
            try restarted.sync()
            #expect(try restarted.appliedIndex() == 3)
            #expect(restarted.registry.frameworks[FrameworkID("f1")] != nil)
        }
    }

    @Test("a snapshot holds the batches applied in memory; a restore drops them")
    func snapshotIncludesMemoryAndRestoreDropsIt() throws {
        try helpers.withScratch { scratch in
            let source = try open(scratch.path + "/source")
            _ = try source.apply(helpers.entries([helpers.put("k/a", "1"), helpers.put("k/b", "2")], from: 1))
            let taken = try source.snapshot()
            #expect(taken.index == 2)

            let target = try open(scratch.path + "/target")
            _ = try target.apply(helpers.entries([helpers.put("k/z", "9")], from: 1))
            let snapshot = Snapshot(
                metadata: SnapshotMetadata(index: taken.index, term: 1, membership: Membership(voters: [1])), data: taken.data)
            try target.restore(snapshot)
            #expect(try target.value(for: Array("k/z".utf8)) == nil)
            #expect(text(try target.value(for: Array("k/b".utf8))) == "2")
            #expect(try target.appliedIndex() == 2)
            try target.store()
            #expect(try target.value(for: Array("k/z".utf8)) == nil)
        }
    }

    @Test("with no interval every batch is stored before apply returns")
    func zeroIntervalStoresAtOnce() throws {
        try helpers.withScratch { scratch in
            let machine = try open(scratch.path + "/state", interval: .zero)
            _ = try machine.apply(helpers.entries([helpers.put("k/a", "1")], from: 1))
            #expect(try machine.appliedIndex() == 1)
        }
    }

    @Test("a batch applied once the interval has passed since the oldest unstored one stores both")
    func anElapsedIntervalStores() throws {
        try helpers.withScratch { scratch in
            let machine = try open(scratch.path + "/state", interval: .milliseconds(1))
            _ = try machine.apply(helpers.entries([helpers.put("k/a", "1")], from: 1))
            #expect(try machine.appliedIndex() == 0)
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .milliseconds(2) {}
            _ = try machine.apply(helpers.entries([helpers.put("k/b", "2")], from: 2))
            #expect(try machine.appliedIndex() == 2)
        }
    }
}
