import CorralModel
import CorralRaft
import CorralReplication
import CorralStore
import Synchronization

/// The state machine every master applies from the Raft log: the registry, plus a small
/// key-value map (member addresses, and the replication benchmark's writes). Both live in
/// LMDB with the applied index. A batch of entries is applied in memory first; what it
/// changed is written to LMDB in one transaction, at once when `storeInterval` is zero, else
/// at most `storeInterval` later (`store()`), with every batch applied meanwhile, as etcd
/// batches its backend commits. Reads see the memory, so they never wait for the disk.
public final class MasterStateMachine: ReplicatedStateMachine {
    public let environment: StoreEnvironment
    private let values: StoreDatabase
    private let records: StoreDatabase
    private let meta: StoreDatabase
    private let state: Mutex<Registry>
    private let onKeyChange: @Sendable (_ key: [UInt8], _ value: [UInt8]?) -> Void
    private let observers = Mutex<[@Sendable ([RegistryChange]) -> Void]>([])
    /// What was applied in memory and is not in the store yet.
    private let unstored = Mutex(Unstored())
    /// The registry's clock when this replica last saw it move, and when (its monotonic clock).
    private let clockMoved = Mutex<ClockObservation?>(nil)
    /// How long applied changes may stay in memory only; zero: every apply stores them.
    public let storeInterval: Duration
    private static let appliedKey = Array("applied-index".utf8)

    public init(
        environment: StoreEnvironment,
        storeInterval: Duration = .zero,
        onKeyChange: @escaping @Sendable (_ key: [UInt8], _ value: [UInt8]?) -> Void = { _, _ in }
    ) throws {
        self.environment = environment
        self.storeInterval = storeInterval
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

    /// The registry's clock when this replica last saw it move (applying a batch), and the
    /// monotonic instant it did; nil until it has applied one since it started.
    public var lastClockMove: ClockObservation? { clockMoved.withLock { $0 } }

    /// A copy of the registry as applied so far.
    public var registry: Registry { state.withLock { $0 } }

    /// Reads the registry without copying it.
    public func withRegistry<T>(_ body: (borrowing Registry) throws -> T) rethrows -> T {
        try state.withLock { try body($0) }
    }

    /// The index of the last entry in the store (entries applied after it are in memory only).
    public func appliedIndex() throws -> UInt64 {
        try environment.read { txn in try txn.get(Self.appliedKey, in: meta).flatMap(BigEndianKey.decode) ?? 0 }
    }

    /// The value under `key` as applied so far, if any.
    public func value(for key: [UInt8]) throws -> [UInt8]? {
        // Memory first: a batch being stored leaves memory only after its transaction commits.
        if let pending = unstored.withLock({ $0.values[key] }) { return pending.value }
        return try environment.read { txn in try txn.get(key, in: values) }
    }

    /// Every key and value under `prefix` as applied so far, in key order.
    public func entries(withPrefix prefix: [UInt8]) throws -> [([UInt8], [UInt8])] {
        let pending = unstored.withLock { $0.values.filter { $0.key.starts(with: prefix) } }
        var merged: [[UInt8]: [UInt8]] = [:]
        try environment.read { txn in
            for record in try txn.records(in: values, withPrefix: prefix) { merged[record.key] = record.value }
        }
        for (key, change) in pending { merged[key] = change.value }
        return merged.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
    }

    /// Applies `entries` in order: to the registry and the key-value map in memory, once;
    /// then, when `storeInterval` has passed since the oldest change not stored (or at once
    /// when it is zero), one LMDB transaction stores every change since the last store with
    /// the applied index. The transaction is atomic but not synced (`.atomicOnly`): after a
    /// power loss the store may be back at an earlier batch, never damaged, and the Raft
    /// log, which keeps every entry after the last `sync()`, applies the rest again.
    public func apply(_ entries: [Entry]) throws -> [UInt64: [UInt8]] {
        var results: [UInt64: [UInt8]] = [:]
        try apply(entries) { results = $0 }
        return results
    }

    /// Applies the batch in memory, hands its results to `decided`, then stores it if it is
    /// time. Call it (and `store()`) from one thread, the applier's.
    public func apply(_ entries: [Entry], decided: ([UInt64: [UInt8]]) -> Void) throws {
        guard let last = entries.last else {
            decided([:])
            return
        }
        // Applied once, before any transaction: `write` runs its closure again after growing a
        // full map, so the closure only stores what was computed here.
        let (batch, clockNanos) = state.withLock { registry in (Self.applyCommands(entries, to: &registry), registry.clockNanos) }
        let now = ContinuousClock.now
        clockMoved.withLock { seen in
            if seen?.nanos != clockNanos { seen = ClockObservation(nanos: clockNanos, at: now) }
        }
        let due = unstored.withLock { unstored in
            unstored.add(batch.keyChanges, index: last.index, now: now)
            return unstored.isDue(now: now, interval: storeInterval)
        }
        decided(batch.results)
        for (key, value) in batch.keyChanges { onKeyChange(key, value) }
        if !batch.changes.isEmpty {
            for observer in observers.withLock({ $0 }) { observer(batch.changes) }
        }
        if due { try store() }
    }

    /// Writes every change applied since the last store, with the applied index, in one
    /// atomic transaction (not synced). If the write fails, memory is read back from the
    /// store and the error is thrown: the node must stop, and the log applies the rest again
    /// when it restarts.
    public func store() throws {
        guard let (index, pending) = unstored.withLock({ unstored in unstored.index.map { ($0, unstored.values) } }) else {
            return
        }
        do {
            let changed = try state.withLock { registry in try Self.records(registry.takeDirty(), of: registry) }
            try environment.write(durability: .atomicOnly) { txn in
                for (key, change) in pending {
                    if let value = change.value {
                        try txn.put(value, for: key, in: values)
                    } else {
                        _ = try txn.delete(key, in: values)
                    }
                }
                try Self.store(changed, to: txn, records)
                try txn.put(BigEndianKey.encode(index), for: Self.appliedKey, in: meta)
            }
            unstored.withLock { $0 = Unstored() }
        } catch {
            let reloaded = try Self.load(environment, records)
            state.withLock { $0 = reloaded }
            unstored.withLock { $0 = Unstored() }
            throw error
        }
    }

    /// Stores what is in memory only, then syncs the store to disk.
    public func sync() throws {
        try store()
        try environment.sync()
    }

    public func snapshot() throws -> (index: UInt64, data: [UInt8]) {
        try sync()
        return try environment.read { txn in
            let applied = try txn.get(Self.appliedKey, in: meta).flatMap(BigEndianKey.decode) ?? 0
            return (applied, try DatabaseSnapshot.write(applied: applied, databases: [values, records], from: txn))
        }
    }

    public func restore(_ snapshot: Snapshot) throws {
        unstored.withLock { $0 = Unstored() }
        let restored = try DatabaseSnapshot.read(snapshot.data, databases: 2, operation: "MasterStateMachine.restore")
        try DatabaseSnapshot.replace(
            [values, records], with: restored, applied: snapshot.metadata.index, appliedKey: Self.appliedKey, meta: meta,
            in: environment)
        let reloaded = try Self.load(environment, records)
        state.withLock { $0 = reloaded }
        for record in restored where record.database == 0 { onKeyChange(record.key, record.value) }
    }
}

/// The registry's clock as a replica saw it move, and when, on its monotonic clock.
public struct ClockObservation: Sendable, Hashable {
    public var nanos: UInt64
    public var at: ContinuousClock.Instant

    package init(nanos: UInt64, at: ContinuousClock.Instant) {
        self.nanos = nanos
        self.at = at
    }
}
