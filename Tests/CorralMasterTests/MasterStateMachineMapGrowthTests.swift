import CorralModel
import CorralRaft
import CorralReplication
import CorralStore
import Testing

@testable import CorralMaster

/// A batch whose write fills the LMDB map part-way: the store grows the map and runs the
/// transaction again, and the batch must still be applied exactly once.
extension MasterStateMachineTests {
    /// The initial map of the small replica: room for the databases, not for the batch.
    static let smallMapBytes = 256 << 10

    /// The mixed registry batch, then about 800 KiB of key-value puts that overflow a 256 KiB
    /// map after the registry commands were applied, then registry commands after them.
    var growingBatch: [[UInt8]] {
        var batch = mixedBatch
        for n in 0..<200 {
            let value = [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: 4_096)
            batch.append(KeyValueStateMachine.Command.put(key: Array("bulk/\(n)".utf8), value: value).encoded)
        }
        batch.append(RegistryCommand.subscribeFramework(info: Fixture.frameworkInfo("late"), atNanos: 40).encoded)
        batch.append(RegistryCommand.admitAgent(info: Fixture.agentInfo("a3"), atNanos: 41).encoded)
        return batch
    }

    /// 600 agents: about 400 KiB of registry records, which overflow a 256 KiB map while the
    /// changed records are being stored, after the registry took its list of changes.
    var registryHeavyBatch: [[UInt8]] {
        (0..<600).map { RegistryCommand.admitAgent(info: Fixture.agentInfo("agent-\($0)"), atNanos: UInt64($0)).encoded }
    }

    /// Which writes fill the map.
    enum Overflow: CaseIterable, Sendable {
        /// Key-value puts, after the registry commands were applied in memory.
        case keyValueWrites
        /// The registry's own records, after the registry handed over its changed keys.
        case registryRecords
    }

    @Test("a batch that grows the map mid-write is applied once: the same results, registry and records as on a big map",
          arguments: Overflow.allCases)
    func mapGrowthMidBatch(overflow: Overflow) throws {
        let commands = overflow == .keyValueWrites ? growingBatch : registryHeavyBatch
        let keyValueCommands = overflow == .keyValueWrites ? 203 : 0
        try withScratch { scratch in
            let options = StoreOptions(mapSizeBytes: Self.smallMapBytes, maxMapSizeBytes: 64 << 20)
            let keyChanges = Recorder<[UInt8]>()
            let small = try MasterStateMachine(
                environment: StoreEnvironment(path: scratch.path + "/small", options: options),
                onKeyChange: { key, _ in keyChanges.append(key) })
            let big = try open(scratch.path + "/big")
            let smallChanges = Recorder<[RegistryChange]>()
            let bigChanges = Recorder<[RegistryChange]>()
            small.observe { smallChanges.append($0) }
            big.observe { bigChanges.append($0) }
            let batch = entries(commands, from: 1)

            let smallResults = try small.apply(batch)
            let bigResults = try big.apply(batch)

            #expect(
                small.environment.currentMapSizeBytes > Self.smallMapBytes,
                """
                the batch must grow the map (results \(smallResults.count) of \(batch.count), agents \(small.registry.agents.count), \
                registry records stored \((try? small.storedRecords().registryKeys.count) ?? -1))
                """)
            // Compared as booleans: the values would fill the log.
            let differing = bigResults.keys.filter { smallResults[$0] != bigResults[$0] }.sorted()
            #expect(
                differing.isEmpty,
                "outcomes of \(differing.count) entries (first \(differing.prefix(8))) differ: commands were applied more than once")
            let sameRegistry = small.registry == big.registry
            #expect(sameRegistry, "the registries differ")
            let sameChanges = smallChanges.all == bigChanges.all
            #expect(
                sameChanges,
                "observers saw \(smallChanges.all.joined().count) changes, not \(bigChanges.all.joined().count)")
            #expect(keyChanges.all.count == keyValueCommands, "each key-value command is reported once")
            #expect(try small.appliedIndex() == UInt64(batch.count))

            let smallStored = try small.storedRecords()
            let bigStored = try big.storedRecords()
            #expect(smallStored.registryKeys == bigStored.registryKeys, "registry records differ on disk")
            #expect(smallStored.values == bigStored.values)
            // What a restart would load: the registry as stored, not as held in memory.
            let smallReloaded = try MasterStateMachine(environment: small.environment).registry
            let bigReloaded = try MasterStateMachine(environment: big.environment).registry
            let sameStored = smallReloaded == bigReloaded
            #expect(sameStored, "the registry stored on disk differs")
            let storeCaughtUp = smallReloaded == small.registry
            #expect(storeCaughtUp, "the registry in memory ran ahead of the store")
        }
    }
}
