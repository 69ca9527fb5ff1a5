import CorralRaft

/// The application replicated by Raft. Entries arrive in log order, exactly once per
/// replica: the state machine stores its applied index atomically with its own writes, so a
/// restart neither skips nor re-applies an entry.
public protocol ReplicatedStateMachine: AnyObject, Sendable {
    /// The index of the last applied entry, as stored with the state it describes.
    func appliedIndex() throws -> UInt64
    /// Applies committed entries in order, in one atomic write together with the new applied
    /// index. Returns the result of each command entry, by index.
    ///
    /// The write need not be durable when this returns: after a power loss the state may be
    /// back at an earlier applied index, never damaged and never out of step with its index,
    /// and the log, which keeps every entry after the last `sync()`, applies the rest again.
    func apply(_ entries: [Entry]) throws -> [UInt64: [UInt8]]
    /// The same apply, calling `decided` with the results as soon as they are known, which may
    /// be before the write to the state's store (answering a proposal needs only its result:
    /// the entry is already durable in the log on a quorum). Reads still wait for `apply` to
    /// return, so they see the entries (in the store, or in memory when `storeInterval`
    /// defers the store write). The default calls `apply`, then `decided`.
    func apply(_ entries: [Entry], decided: ([UInt64: [UInt8]]) -> Void) throws
    /// How long `apply` may keep applied changes in memory before they are written to the
    /// state's store; the applier calls `store()` this long after a batch at the latest.
    /// Zero: `apply` writes every batch to the store before it returns.
    var storeInterval: Duration { get }
    /// Writes to the store what `apply` kept in memory (atomic, not synced). Called on the
    /// applying thread.
    func store() throws
    /// Makes every applied write durable, so the log may be compacted up to the applied index.
    func sync() throws
    /// The whole state at the applied index, as bytes (never empty).
    func snapshot() throws -> (index: UInt64, data: [UInt8])
    /// Replaces the whole state with a snapshot's, and its applied index with the snapshot's.
    func restore(_ snapshot: Snapshot) throws
}

extension ReplicatedStateMachine {
    public var storeInterval: Duration { .zero }
    public func store() throws {}

    public func apply(_ entries: [Entry], decided: ([UInt64: [UInt8]]) -> Void) throws {
        decided(try apply(entries))
    }
}
