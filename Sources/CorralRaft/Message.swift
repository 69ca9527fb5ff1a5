/// A message between Raft nodes. `term` is the sender's term, except for a pre-vote
/// request, whose term is the one the sender would campaign in.
public struct Message: Sendable, Hashable {
    public var from: NodeID
    public var to: NodeID
    public var term: UInt64
    public var body: MessageBody

    public init(from: NodeID, to: NodeID, term: UInt64, body: MessageBody) {
        self.from = from
        self.to = to
        self.term = term
        self.body = body
    }
}

extension Message {
    /// Whether the shell must make every earlier persist effect durable before sending this
    /// message (see `RaftEffect`). A leader's messages need not wait, nor do heartbeat
    /// replies (they claim nothing about the log); votes and other replies do, and so does a
    /// candidate's vote for itself (a message with `to == from`, which the shell hands back
    /// to the node itself once durable and never puts on the network).
    public var waitsForPersistence: Bool {
        switch body {
        case .append, .heartbeat, .installSnapshot, .timeoutNow, .heartbeatResponse: return false
        default: return true
        }
    }
}

/// What a message says.
public enum MessageBody: Sendable, Hashable {
    case preVote(lastIndex: UInt64, lastTerm: UInt64)
    case preVoteResponse(granted: Bool)
    /// `transfer` is set when a leadership transfer asked for this election: voters then
    /// ignore their check-quorum lease.
    case vote(lastIndex: UInt64, lastTerm: UInt64, transfer: Bool)
    case voteResponse(granted: Bool)
    case append(AppendRequest)
    case appendResponse(AppendResponse)
    case heartbeat(commit: UInt64, readContext: UInt64)
    case heartbeatResponse(readContext: UInt64)
    case installSnapshot(SnapshotChunk)
    case snapshotResponse(SnapshotAck)
    /// Sent by a leader to the target of a leadership transfer: campaign now.
    case timeoutNow
}

/// AppendEntries: entries that follow (prevIndex, prevTerm), and the leader's commit index.
public struct AppendRequest: Sendable, Hashable {
    public var prevIndex: UInt64
    public var prevTerm: UInt64
    public var entries: [Entry]
    public var commit: UInt64

    public init(prevIndex: UInt64, prevTerm: UInt64, entries: [Entry], commit: UInt64) {
        self.prevIndex = prevIndex
        self.prevTerm = prevTerm
        self.entries = entries
        self.commit = commit
    }
}

/// A follower's answer to AppendEntries.
public struct AppendResponse: Sendable, Hashable {
    /// On success: the index of the last entry the follower now holds durably from this request.
    /// On rejection: the `prevIndex` that did not match.
    public var index: UInt64
    public var rejected: Bool
    /// On rejection: the largest index at or below `index` whose term is at most `hintTerm`,
    /// so the leader can skip a whole conflicting term at once.
    public var hintIndex: UInt64
    public var hintTerm: UInt64

    public init(index: UInt64, rejected: Bool, hintIndex: UInt64 = 0, hintTerm: UInt64 = 0) {
        self.index = index
        self.rejected = rejected
        self.hintIndex = hintIndex
        self.hintTerm = hintTerm
    }
}

/// One chunk of an InstallSnapshot transfer. Chunks are sent in order; a transfer resumes
/// from the offset the follower last acknowledged.
public struct SnapshotChunk: Sendable, Hashable {
    public var metadata: SnapshotMetadata
    public var offset: Int
    public var totalBytes: Int
    public var data: [UInt8]

    public init(metadata: SnapshotMetadata, offset: Int, totalBytes: Int, data: [UInt8]) {
        self.metadata = metadata
        self.offset = offset
        self.totalBytes = totalBytes
        self.data = data
    }

    public var isLast: Bool { offset + data.count >= totalBytes }
}

/// A follower's answer to a snapshot chunk: how many bytes of which snapshot it holds.
public struct SnapshotAck: Sendable, Hashable {
    public var index: UInt64
    public var term: UInt64
    /// The offset the follower expects next; equal to the total size once installed.
    public var nextOffset: Int
    public var installed: Bool

    public init(index: UInt64, term: UInt64, nextOffset: Int, installed: Bool) {
        self.index = index
        self.term = term
        self.nextOffset = nextOffset
        self.installed = installed
    }
}
