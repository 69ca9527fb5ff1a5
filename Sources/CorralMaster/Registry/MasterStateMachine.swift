import CorralModel
import CorralRaft
import CorralReplication
import CorralStore
import Synchronization

/// The state machine every master applies from the Raft log: the registry, plus a small
/// key-value map (member addresses, and the replication benchmark's writes). Both live in
/// LMDB with the applied index, written in one transaction per batch of entries.
public final class MasterStateMachine: ReplicatedStateMachine {
    public let environment: StoreEnvironment
    private let values: StoreDatabase
    private let records: StoreDatabase
    private let meta: StoreDatabase
    private let state: Mutex<Registry>
    private let onKeyChange: @Sendable (_ key: [UInt8], _ value: [UInt8]?) -> Void
    private let observers = Mutex<[@Sendable ([RegistryChange]) -> Void]>([])
    private static let appliedKey = Array("applied-index".utf8)

    public init(
        environment: StoreEnvironment,
        onKeyChange: @escaping @Sendable (_ key: [UInt8], _ value: [UInt8]?) -> Void = { _, _ in }
    ) throws {
        self.environment = environment
        self.onKeyChange = onKeyChange
        values = try environment.openDatabase("kv")
        records = try environment.openDatabase("registry")
        meta = try environment.openDatabase("meta")
        state = Mutex(Registry())
        let loaded = try Self.load(environment, records)
        state.withLock { $0 = loaded }
    }

    /// Calls `observer` with the changes of every batch applied from now on (on the apply thread).
    public func observe(_ observer: @escaping @Sendable ([RegistryChange]) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// A copy of the registry as applied so far.
    public var registry: Registry { state.withLock { $0 } }

    /// Reads the registry without copying it.
    public func withRegistry<T>(_ body: (borrowing Registry) throws -> T) rethrows -> T {
        try state.withLock { try body($0) }
    }

    public func appliedIndex() throws -> UInt64 {
        try environment.read { txn in try txn.get(Self.appliedKey, in: meta).flatMap(BigEndianKey.decode) ?? 0 }
    }

    /// The value stored under `key`, if any.
    public func value(for key: [UInt8]) throws -> [UInt8]? {
        try environment.read { txn in try txn.get(key, in: values) }
    }

    /// Every key and value under `prefix`, in key order.
    public func entries(withPrefix prefix: [UInt8]) throws -> [([UInt8], [UInt8])] {
        try environment.read { txn in try txn.records(in: values, withPrefix: prefix).map { ($0.key, $0.value) } }
    }

    public func apply(_ entries: [Entry]) throws -> [UInt64: [UInt8]] {
        guard let last = entries.last else { return [:] }
        var results: [UInt64: [UInt8]] = [:]
        var keyChanges: [([UInt8], [UInt8]?)] = []
        var changes: [RegistryChange] = []
        do {
            try state.withLock { registry in
                // `.atomicOnly`: a power loss may undo this batch (state and applied index
                // together), never damage the store; the durable log, kept until `sync()` has
                // made the state durable, applies it again.
                try environment.write(durability: .atomicOnly) { txn in
                    for entry in entries {
                        guard case .command(let bytes) = entry.payload else { continue }
                        if bytes.first == RegistryCommand.tag {
                            guard let command = try? RegistryCommand(decoding: bytes) else {
                                results[entry.index] = RegistryOutcome(error: "malformed registry command").encoded
                                continue
                            }
                            let (outcome, made) = registry.apply(command, index: entry.index)
                            results[entry.index] = outcome.encoded
                            changes += made
                        } else {
                            switch try? KeyValueStateMachine.Command(decoding: bytes) {
                            case .put(let key, let value)?:
                                try txn.put(value, for: key, in: values)
                                keyChanges.append((key, value))
                                results[entry.index] = []
                            case .delete(let key)?:
                                _ = try txn.delete(key, in: values)
                                keyChanges.append((key, nil))
                                results[entry.index] = []
                            case nil:
                                results[entry.index] = Array("malformed command".utf8)
                            }
                        }
                    }
                    try Self.write(registry.takeDirty(), of: registry, to: txn, records)
                    try txn.put(BigEndianKey.encode(last.index), for: Self.appliedKey, in: meta)
                }
            }
        } catch {
            // The write failed: the registry in memory ran ahead of the store, so read it back.
            let reloaded = try Self.load(environment, records)
            state.withLock { $0 = reloaded }
            throw error
        }
        for (key, value) in keyChanges { onKeyChange(key, value) }
        if !changes.isEmpty {
            for observer in observers.withLock({ $0 }) { observer(changes) }
        }
        return results
    }

    public func sync() throws {
        try environment.sync()
    }

    public func snapshot() throws -> (index: UInt64, data: [UInt8]) {
        try environment.sync()
        return try environment.read { txn in
            let applied = try txn.get(Self.appliedKey, in: meta).flatMap(BigEndianKey.decode) ?? 0
            return (applied, try DatabaseSnapshot.write(applied: applied, databases: [values, records], from: txn))
        }
    }

    public func restore(_ snapshot: Snapshot) throws {
        let restored = try DatabaseSnapshot.read(snapshot.data, databases: 2, operation: "MasterStateMachine.restore")
        try DatabaseSnapshot.replace(
            [values, records], with: restored, applied: snapshot.metadata.index, appliedKey: Self.appliedKey, meta: meta,
            in: environment)
        let reloaded = try Self.load(environment, records)
        state.withLock { $0 = reloaded }
        for record in restored where record.database == 0 { onKeyChange(record.key, record.value) }
    }
}
