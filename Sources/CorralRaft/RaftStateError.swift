/// A node's stored Raft state contradicts itself: the log, the hard state or the snapshot
/// is damaged or partly lost. The node must not start (it could vote or acknowledge as if it
/// held entries it has lost); the member has to be replaced.
public struct RaftStateError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What is damaged.
    public enum Code: String, Sendable, Hashable {
        /// The stored commit index is beyond the last stored entry: committed entries were lost.
        case commitBeyondLog
        /// The state machine has applied entries beyond the last stored entry: the log lost them.
        case appliedBeyondLog
        /// The stored entries have a gap or go backwards.
        case logNotContiguous
        /// The stored entries start after the snapshot's index, or end before it: entries
        /// between the snapshot and the log were lost.
        case logDisconnectedFromSnapshot
        /// The stored entry at the snapshot's index has another term than the snapshot: the
        /// log and the snapshot belong to different histories.
        case logDisagreesWithSnapshot
        /// The stored term is older than the term of the stored log or snapshot: the term
        /// (and the vote cast in it) was lost.
        case termBehindLog
    }

    /// What is damaged.
    public var code: Code
    /// The node whose state it is.
    public var node: NodeID
    /// What was found, with the indexes and terms involved.
    public var detail: String

    /// An error with every field given.
    public init(code: Code, node: NodeID, detail: String) {
        self.code = code
        self.node = node
        self.detail = detail
    }

    /// What is damaged, and how to replace the member.
    public var message: String {
        "the Raft state of node \(node) is damaged (\(code.rawValue)): \(detail). "
            + "The node cannot rejoin safely with this state. Replace it with a new member: remove node \(node) "
            + "from the quorum (`corral quorum remove \(node)`), start a member with a node id never used before, "
            + "an empty data directory and --join, add it as a learner (`corral quorum add-learner NEW_ID --raft "
            + "HOST:PORT --http HOST:PORT`), and promote it once it has caught up (`corral quorum promote NEW_ID`)"
    }

    public var description: String { message }
}
