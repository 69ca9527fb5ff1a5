/// Everything that can happen to a Raft node. The node reacts with `[RaftEffect]`.
public enum RaftInput: Sendable, Hashable {
    /// One logical clock tick. Timeouts are counted in ticks.
    case tick
    /// A message from another node.
    case message(Message)
    /// A client proposes a command. The node answers with `.proposalAccepted` or `.proposalRejected`.
    case propose(id: UInt64, command: [UInt8])
    /// Several commands at once: they go into one append and one disk write.
    case proposeBatch([Proposal])
    /// An operator proposes a membership change.
    case proposeConfigChange(id: UInt64, change: ConfigChange)
    /// A client asks for a linearizable read point (ReadIndex).
    case readIndex(id: UInt64)
    /// An operator asks the leader to hand leadership to `target`.
    case transferLeadership(to: NodeID)
    /// The shell made every entry up to (index, term) durable; see `RaftEffect.persistEntries`.
    case entriesDurable(index: UInt64, term: UInt64)
    /// The shell made the snapshot at (index, term) durable; see `RaftEffect.persistSnapshot`.
    case snapshotDurable(index: UInt64, term: UInt64)
    /// The shell found `peer`'s process not listening (its connection was refused). Such a
    /// report may be false (a firewall REJECT or a resetting proxy gives the same error) or
    /// repeated, so a follower acts only when reports about its leader span at least two
    /// heartbeat intervals with no message from the leader in between; it then drops its
    /// lease and campaigns soon, staggered by rank with jitter, instead of waiting a whole
    /// election timeout. A shell should report every refused attempt. Safety does not depend
    /// on it; a partition still waits for the election timeout.
    case peerUnreachable(NodeID)
    /// The application took a snapshot of its state at an applied index; the node keeps it
    /// to send to lagging followers and compacts its log behind it, keeping `trailingEntries`.
    /// Its data may be empty (metadata only) when the state machine keeps the state durably
    /// itself: the node then asks for the data with `.snapshotDataNeeded` when a follower
    /// needs it. Data is never empty otherwise, except in the bootstrap snapshot at index 0.
    case snapshotTaken(Snapshot, trailingEntries: UInt64)
}

/// One client command and the id its answer will carry.
public struct Proposal: Sendable, Hashable {
    public var id: UInt64
    public var command: [UInt8]

    public init(id: UInt64, command: [UInt8]) {
        self.id = id
        self.command = command
    }
}
