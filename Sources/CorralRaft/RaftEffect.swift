/// What a Raft node asks its shell to do, in order.
///
/// The persistence contract: the shell carries effects out in the order given. A message
/// whose `waitsForPersistence` is true (votes, and every reply to a leader) may not be sent
/// until every `persist…` effect that came before it, in this step or an earlier one, is
/// durable. A leader's own messages (appends, heartbeats, snapshot chunks, TimeoutNow)
/// depend on nothing unwritten: its term and vote were durable before it campaigned, and
/// it counts itself towards a commit only for entries the shell reported durable with
/// `RaftInput.entriesDurable`. So a leader's disk write runs in parallel with replication
/// (Raft thesis §10.2.1). The shell reports every `persistEntries` with `entriesDurable`
/// and every `persistSnapshot` with `snapshotDurable` once durable; the node applies only
/// entries it knows are durable locally. A shell may always hold a message longer (for
/// example until all earlier writes are durable); it may never send one earlier.
///
/// A candidate votes for itself with a message addressed to itself (`to == from == id`,
/// a granted `voteResponse` that waits for persistence): the shell hands it back to the same
/// node as `RaftInput.message` once every earlier write is durable, and never puts it on the
/// network. So even a lone voter leads only once its term and vote are durable, and a shell
/// must drop any message from the network that claims to come from the node itself.
public enum RaftEffect: Sendable, Hashable {
    /// Make the term, vote and commit index durable.
    case persistHardState(HardState)
    /// Make these entries durable. Any stored entry at or after the first entry's index is
    /// replaced (the log's tail is truncated first). The entries are contiguous.
    case persistEntries([Entry])
    /// Make this snapshot durable and replace the whole stored log with it.
    case persistSnapshot(Snapshot)
    /// The log storage may drop entries up to and including `index` (a snapshot covers them).
    case compactLog(through: UInt64)
    /// Send a message. Delivery may fail; Raft retries.
    case send(Message)
    /// Apply these committed entries to the state machine, in order.
    case apply([Entry])
    /// Replace the state machine's state with this snapshot.
    case applySnapshot(Snapshot)
    /// A follower needs a snapshot, but the node holds only the metadata of its latest one
    /// (a shell may hand over snapshots with empty data, keeping the data in its state
    /// machine). Take a snapshot of the state machine and give it with `.snapshotTaken`.
    case snapshotDataNeeded
    /// A proposal was appended to the leader's log at (index, term). It is done when the
    /// entry at that index with that term is applied; a different term there means it was lost.
    case proposalAccepted(id: UInt64, index: UInt64, term: UInt64)
    case proposalRejected(id: UInt64, reason: RaftRejection)
    /// A read may be served once the state machine has applied `index`.
    case readReady(id: UInt64, index: UInt64)
    case readRejected(id: UInt64, reason: RaftRejection)
    /// The node's role, term or known leader changed. Informational.
    case roleChanged(role: RaftRole, term: UInt64, leader: NodeID)
    /// The node found its state contradicting the leader's in a way Raft rules out (a
    /// leader's entry conflicts with one this node holds as committed), so its own state or
    /// the cluster's is damaged. The node has stopped: this is the only effect of that step
    /// (nothing was truncated or written), and every later `step` returns no effects. The shell must stop the node for good and say
    /// why (the reason names the indexes and terms); the member has to be replaced, as for a
    /// `RaftStateError`.
    case fatal(String)
}

/// Why a proposal or a read was refused.
public enum RaftRejection: Sendable, Hashable {
    /// This node does not lead; `leader` is who it believes leads (0 if nobody).
    case notLeader(leader: NodeID)
    /// A leadership transfer is under way; retry on the new leader.
    case transferInProgress
    /// A membership change is still uncommitted, or the leader has not yet committed an entry
    /// in its term; only one change at a time is allowed.
    case configChangeInProgress
    /// The change does not apply to the current membership.
    case invalidConfigChange
    /// Leadership was lost before the read could be confirmed.
    case leadershipLost
    /// The leader's uncommitted tail is at its limit (`maxUncommittedBytes`); retry later.
    case overloaded
}

/// A node's role.
public enum RaftRole: String, Sendable, Hashable {
    case follower, preCandidate, candidate, leader
}
