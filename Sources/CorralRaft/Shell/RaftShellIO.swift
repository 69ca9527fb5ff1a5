/// Where a `RaftEffectInterpreter` writes the node's log: the LMDB writer thread in
/// `RaftServer`, the simulated disk in the simulator, a double in tests.
///
/// Writes are asynchronous and carried out in the order submitted. The shell reports each
/// one durable with `RaftEffectInterpreter.durable(through:)` (any number at once, by the
/// highest sequence), or stops the interpreter with `stop(_:)` when a write fails.
public protocol RaftStorageQueue {
    /// Queues one write; it must become durable after every write submitted before it.
    func submit(_ write: RaftStorageWrite)
}

/// Where a `RaftEffectInterpreter` sends messages to other nodes: the TCP transport in
/// `RaftServer`, the simulated network in the simulator.
public protocol RaftMessageSender {
    /// Sends messages to other nodes; delivery may fail (Raft retries).
    func send(_ messages: [Message])
}

/// One write to the log storage, numbered in the order the interpreter submitted it.
public struct RaftStorageWrite: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        /// Write this batch atomically and durably (`RaftLogStorage.write`).
        case batch(RaftWriteBatch)
        /// Drop entries up to and including this index (`RaftLogStorage.compact`).
        case compact(through: UInt64)
    }

    /// Counts the interpreter's writes from 1, in submission order.
    public var sequence: UInt64
    public var operation: Operation

    public init(sequence: UInt64, operation: Operation) {
        self.sequence = sequence
        self.operation = operation
    }
}
