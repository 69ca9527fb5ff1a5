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

    /// Applies `entries` in order: the registry in memory first, once, then one LMDB
    /// transaction that stores the key-value writes, the changed registry records and the
    /// applied index together. The transaction is atomic but not synced when this returns
    /// (`.atomicOnly`): after a power loss the store may be back at the previous batch, never
    /// damaged, and the Raft log applies this one again. If the store write fails, the
    /// registry is read back from the store, so memory never runs ahead of it.
    public func apply(_ entries: [Entry]) throws -> [UInt64: [UInt8]] {
        var results: [UInt64: [UInt8]] = [:]
        try apply(entries) { results = $0 }
        return results
    }

    /// Applies the batch to the registry in memory, hands its results to `decided`, then
    /// stores it. The store write runs outside the registry's lock, so readers of the
    /// registry never wait for the disk.
    public func apply(_ entries: [Entry], decided: ([UInt64: [UInt8]]) -> Void) throws {
        guard let last = entries.last else {
            decided([:])
            return
        }
        do {
            // Apply to the registry once, before the transaction: `write` runs its closure
            // again after growing a full map, so the closure only stores what this computed.
            let (batch, records) = try state.withLock { registry in
                let batch = Self.applyCommands(entries, to: &registry)
                return (batch, try Self.records(registry.takeDirty(), of: registry))
            }
            decided(batch.results)
            try environment.write(durability: .atomicOnly) { txn in
                try Self.store(batch.keyChanges, to: txn, values)
                try Self.store(records, to: txn, self.records)
                try txn.put(BigEndianKey.encode(last.index), for: Self.appliedKey, in: meta)
            }
            for (key, value) in batch.keyChanges { onKeyChange(key, value) }
            if !batch.changes.isEmpty {
                for observer in observers.withLock({ $0 }) { observer(batch.changes) }
            }
        } catch {
            // Nothing was stored: the registry in memory ran ahead of the store, so read it back.
            let reloaded = try Self.load(environment, records)
            state.withLock { $0 = reloaded }
            throw error
        }
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
