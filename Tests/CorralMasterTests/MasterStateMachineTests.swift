import CorralTestSupport
import CorralModel
import CorralRaft
import CorralReplication
import CorralStore
import Synchronization
import Testing

@testable import CorralMaster

/// The registry and key-value map in LMDB: batches, reopening, snapshots, observers.
@Suite struct MasterStateMachineTests {
    /// Runs `body` with a fresh directory for environments, removed afterwards.
    func withScratch<T>(_ body: (ScratchDirectory) throws -> T) throws -> T {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        return try body(scratch)
    }

    func open(_ path: String) throws -> MasterStateMachine {
        try MasterStateMachine(environment: StoreEnvironment(path: path))
    }

    /// Entries from `first` on, one per command, in term 1.
    func entries(_ commands: [[UInt8]], from first: UInt64) -> [Entry] {
        commands.enumerated().map {
            Entry(term: 1, index: first + UInt64($0.offset), payload: .command($0.element))
        }
    }

    func put(_ key: String, _ value: String) -> [UInt8] {
        KeyValueStateMachine.Command.put(key: Array(key.utf8), value: Array(value.utf8)).encoded
    }

    /// A batch touching every kind of record: frameworks, agents, tasks (live and completed),
    /// a removed framework, quota, weights, maintenance and the clock, mixed with key-value puts.
    var mixedBatch: [[UInt8]] {
        let window = MaintenanceSchedule.Window(
            machineIDs: [.init(hostname: "a1.example", ip: "10.0.0.1")],
            unavailability: .init(start: DurationInfo(nanoseconds: 5), duration: nil)
        )
        let commands: [RegistryCommand] = [
            .subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 10),
            .subscribeFramework(info: Fixture.frameworkInfo("f2", partitionAware: true), atNanos: 11),
            .subscribeFramework(info: Fixture.frameworkInfo("gone"), atNanos: 11),
            .admitAgent(info: Fixture.agentInfo("a1"), atNanos: 12),
            .admitAgent(info: Fixture.agentInfo("a2"), atNanos: 12),
            Fixture.launch("f1", [Fixture.taskInfo("t1"), Fixture.taskInfo("t2")], at: 13),
            Fixture.launch("f2", [Fixture.taskInfo("g1")], executor: Fixture.executorInfo("e1"), at: 13),
            Fixture.launch("gone", on: "a2", [Fixture.taskInfo("t1", on: "a2")], at: 13),
            Fixture.update("f1", "t1", .running, uuid: 1, at: 14),
            Fixture.update("f1", "t2", .finished, uuid: nil, at: 15),
            .removeFramework(id: "gone", atNanos: 16),
            .agentUnreachable(id: "a1", atNanos: 17),
            .disconnectFramework(id: "f2", atNanos: 18, deadlineNanos: 1_000),
            .updateQuota([QuotaRecord(role: "web", guarantees: ["cpus": 1], limits: ["cpus": 2.5])]),
            .updateWeights(["web": 1.5]),
            .updateMaintenance(MaintenanceSchedule(windows: [window])),
        ]
        var bytes = commands.map(\.encoded)
        bytes.insert(put("members/1", "10.0.0.1:5050"), at: 0)
        bytes.insert(put("members/2", "10.0.0.2:5050"), at: 6)
        bytes.append(KeyValueStateMachine.Command.delete(key: Array("members/2".utf8)).encoded)
        return bytes
    }

    @Test("a batch of registry and key-value commands is applied, with the applied index")
    func applyMixedBatch() throws {
        try withScratch { scratch in
            let machine = try open(scratch.path + "/state")
            let batch = entries(mixedBatch, from: 1)
            let results = try machine.apply(batch)
            #expect(try machine.appliedIndex() == UInt64(batch.count))
            #expect(results.count == batch.count)
            for entry in batch {
                guard case .command(let bytes) = entry.payload, bytes.first == RegistryCommand.tag else {
                    continue
                }
                let outcome = RegistryOutcome(decoding: results[entry.index] ?? [])
                #expect(outcome.error == nil, "entry \(entry.index): \(outcome)")
            }
            #expect(try machine.value(for: Array("members/1".utf8)) == Array("10.0.0.1:5050".utf8))
            #expect(try machine.value(for: Array("members/2".utf8)) == nil)
            #expect(try machine.entries(withPrefix: Array("members/".utf8)).count == 1)

            let registry = machine.registry
            #expect(registry.frameworks.keys.sorted() == ["f1", "f2"])
            #expect(registry.completedFrameworks["gone"] != nil)
            #expect(registry.agents["a1"]?.state == .unreachable(sinceNanos: 17))
            #expect(registry.task("f1", "t1")?.state == .unreachable)
            #expect(registry.completedTasks.count == 2)
            #expect(registry.clockNanos == 18)
            #expect(machine.withRegistry { $0.tasks.count } == 2)
        }
    }

    @Test("a batch's results are decided before it is stored; the store has it when apply returns")
    func resultsBeforeTheStoreWrite() throws {
        try withScratch { scratch in
            let machine = try open(scratch.path + "/state")
            let batch = entries(mixedBatch, from: 1)
            var decided: [UInt64: [UInt8]] = [:]
            var storedWhenDecided: UInt64 = .max
            var registryWhenDecided = 0
            try machine.apply(batch) { results in
                decided = results
                storedWhenDecided = (try? machine.appliedIndex()) ?? .max
                registryWhenDecided = machine.withRegistry { $0.frameworks.count }  // no wait on the store
            }
            #expect(decided.count == batch.count)
            #expect(storedWhenDecided == 0, "the results come before the store write")
            #expect(registryWhenDecided == 2)
            #expect(try machine.appliedIndex() == UInt64(batch.count))
            #expect(try machine.value(for: Array("members/1".utf8)) == Array("10.0.0.1:5050".utf8))
        }
    }

    @Test("reopening the environment loads the same registry and applied index")
    func reopen() throws {
        try withScratch { scratch in
            let path = scratch.path + "/state"
            let before: Registry
            do {
                let machine = try open(path)
                _ = try machine.apply(entries(mixedBatch, from: 1))
                // A second batch changes and deletes records written by the first.
                _ = try machine.apply(
                    entries(
                        [
                            Fixture.ack("f1", "t1", uuid: [0xAB, 1]).encoded,
                            RegistryCommand.reregisterAgent(
                                info: Fixture.agentInfo("a1"),
                                reported: [],
                                atNanos: 30
                            ).encoded,
                            RegistryCommand.removeQuota(role: "web").encoded,
                            RegistryCommand.startMaintenance(
                                machines: [.init(hostname: "A1.example", ip: "10.0.0.1")], atNanos: 31
                            ).encoded,
                        ],
                        from: 100
                    )
                )
                before = machine.registry
                #expect(before.quotas.isEmpty)
                try machine.sync()
            }
            #expect(before.downMachines == [.init(hostname: "a1.example", ip: "10.0.0.1")], "the machine went down")
            let reopened = try open(path)
            #expect(try reopened.appliedIndex() == 103)
            #expect(reopened.registry.downMachines == before.downMachines)
            #expect(reopened.registry == before)
            #expect(reopened.registry.tasks == before.tasks)
            #expect(reopened.registry.nextCompletedSequence == before.nextCompletedSequence)
            #expect(try reopened.value(for: Array("members/1".utf8)) == Array("10.0.0.1:5050".utf8))
        }
    }

    @Test("a snapshot restored into a fresh environment gives an equal registry and values")
    func snapshotRestore() throws {
        try withScratch { scratch in
            let source = try open(scratch.path + "/source")
            let batch = entries(mixedBatch, from: 1)
            _ = try source.apply(batch)
            let (index, data) = try source.snapshot()
            #expect(index == UInt64(batch.count))

            let seen = Recorder<String>()
            let target = try MasterStateMachine(environment: StoreEnvironment(path: scratch.path + "/target"))
            { key, value in
                seen.append(
                    String(decoding: key, as: UTF8.self) + "=" + String(decoding: value ?? [], as: UTF8.self)
                )
            }
            // Something to be replaced by the snapshot.
            _ = try target.apply(
                entries([put("stale", "x"), RegistryCommand.tick(atNanos: 99_999).encoded], from: 1)
            )
            let metadata = SnapshotMetadata(index: index, term: 1, membership: Membership(voters: [1]))
            try target.restore(Snapshot(metadata: metadata, data: data))

            #expect(target.registry == source.registry)
            #expect(try target.appliedIndex() == index)
            #expect(try target.value(for: Array("stale".utf8)) == nil)
            #expect(try target.value(for: Array("members/1".utf8)) == Array("10.0.0.1:5050".utf8))
            #expect(seen.all.last == "members/1=10.0.0.1:5050", "restored keys are reported")

            // Both go on alike from there.
            let next = entries([Fixture.ack("f1", "t1", uuid: [0xAB, 1]).encoded], from: index + 1)
            _ = try source.apply(next)
            _ = try target.apply(next)
            #expect(target.registry == source.registry)
        }
    }

    @Test("a malformed registry command yields an error outcome, and the batch goes on")
    func malformedCommand() throws {
        try withScratch { scratch in
            let machine = try open(scratch.path + "/state")
            let batch = entries(
                [
                    [RegistryCommand.tag] + Array("{not json".utf8),
                    [RegistryCommand.tag],
                    RegistryCommand.subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 1).encoded,
                    [9, 9, 9],
                ],
                from: 1
            )
            let results = try machine.apply(batch)
            #expect(RegistryOutcome(decoding: results[1] ?? []).error != nil)
            #expect(RegistryOutcome(decoding: results[2] ?? []).error != nil)
            #expect(RegistryOutcome(decoding: results[3] ?? []).error == nil)
            #expect(results[4] == Array("malformed command".utf8))
            #expect(try machine.appliedIndex() == 4)
            #expect(machine.registry.frameworks["f1"] != nil)
        }
    }

    @Test("entries without a command are skipped but count as applied")
    func emptyEntries() throws {
        try withScratch { scratch in
            let machine = try open(scratch.path + "/state")
            let results = try machine.apply([Entry(term: 1, index: 1, payload: .empty)])
            #expect(results.isEmpty)
            #expect(try machine.appliedIndex() == 1)
            #expect(try machine.apply([]).isEmpty)
            #expect(try machine.appliedIndex() == 1)
        }
    }

    @Test("observers receive each batch's changes, in order")
    func observers() throws {
        try withScratch { scratch in
            let machine = try open(scratch.path + "/state")
            let received = Recorder<[RegistryChange]>()
            machine.observe { changes in received.append(changes) }
            _ = try machine.apply(
                entries(
                    [
                        RegistryCommand.subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 1)
                            .encoded,
                        put("k", "v"),
                        RegistryCommand.admitAgent(info: Fixture.agentInfo("a1"), atNanos: 2).encoded,
                    ],
                    from: 1
                )
            )
            _ = try machine.apply(entries([put("k", "w")], from: 4))
            _ = try machine.apply(
                entries(
                    [
                        // Refused: a1 is already admitted.
                        RegistryCommand.admitAgent(info: Fixture.agentInfo("a1"), atNanos: 3).encoded,
                        Fixture.launch("f1", [Fixture.taskInfo("t1")]).encoded,
                    ],
                    from: 5
                )
            )

            let batches = received.all
            #expect(batches.count == 2, "a batch that changes nothing in the registry is not reported")
            let registry = machine.registry
            guard batches.count == 2, let framework = registry.frameworks["f1"],
                let agent = registry.agents["a1"],
                let task = registry.tasks[Fixture.key("f1", "t1")]
            else { return }
            #expect(batches[0] == [.frameworkAdded(framework), .agentAdded(agent)])
            #expect(batches[1] == [.taskAdded(task)])
        }
    }
}

/// Collects what callbacks report, from any thread.
final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    func append(_ item: Element) { items.withLock { $0.append(item) } }

    var all: [Element] { items.withLock { $0 } }
}

extension Registry {
    /// The live task `task` of `framework`, for short expectations.
    func task(_ framework: String, _ task: String) -> TaskRecord? {
        tasks[Fixture.key(framework, task)]
    }
}
