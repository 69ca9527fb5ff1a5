/// A Raft node's identifier. Zero means "nobody".
public typealias NodeID = UInt64

/// What an entry in the replicated log carries.
public enum EntryPayload: Sendable, Hashable {
    /// A leader's first entry of its term; it commits earlier entries and carries nothing.
    case empty
    /// An application command, opaque to Raft.
    case command([UInt8])
    /// A single-server membership change and the whole membership it results in. It takes
    /// effect as soon as it is appended (Raft thesis §4.1). Carrying the whole membership
    /// lets a node that joins with an empty log learn the cluster from the first change it sees.
    case configChange(ConfigChange, Membership)
}

/// One entry of the replicated log.
public struct Entry: Sendable, Hashable {
    public var term: UInt64
    public var index: UInt64
    public var payload: EntryPayload

    public init(term: UInt64, index: UInt64, payload: EntryPayload) {
        self.term = term
        self.index = index
        self.payload = payload
    }

    /// Approximate size in bytes, used for flow control and message batching.
    public var sizeBytes: Int {
        switch payload {
        case .empty: return 16
        case .command(let bytes): return 16 + bytes.count
        case .configChange(_, let membership): return 32 + 8 * membership.members.count
        }
    }
}

/// The state a node must make durable before it acts on it: its term, its vote, and
/// the highest index it knows committed.
public struct HardState: Sendable, Hashable {
    public var term: UInt64
    public var vote: NodeID
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: NodeID = 0, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}
