/// A pure Raft node: inputs go in, effects come out. No I/O, no clock, no randomness of its own.
public struct RaftNode: Sendable {
    public let config: RaftConfig
    public var id: NodeID { config.id }

    /// Restore a node from what its storage holds.
    public init(config: RaftConfig, state: RaftPersistentState) {
        self.config = config
        fatalError("RaftNode: implementation lands with the core")
    }

    /// Feed one input; returns the effects to carry out, in order (see `RaftEffect`).
    public mutating func step(_ input: RaftInput, rng: inout some RandomNumberGenerator) -> [RaftEffect] {
        fatalError("RaftNode: implementation lands with the core")
    }

    // MARK: - Read-only views, for the shell, status pages and invariant checkers

    public var role: RaftRole { fatalError() }
    public var term: UInt64 { fatalError() }
    /// Who this node believes leads (0 if nobody).
    public var leader: NodeID { fatalError() }
    public var commitIndex: UInt64 { fatalError() }
    /// The highest index handed to the shell with `.apply` / `.applySnapshot`.
    public var appliedIndex: UInt64 { fatalError() }
    public var membership: Membership { fatalError() }
    public var hardState: HardState { fatalError() }
    /// The snapshot the log starts after (nil for a node that joined and has no log yet).
    public var snapshotMetadata: SnapshotMetadata? { fatalError() }
    public var firstIndex: UInt64 { fatalError() }
    public var lastIndex: UInt64 { fatalError() }
    /// The term of the entry at `index`, if the node knows it (snapshot boundary included).
    public func term(at index: UInt64) -> UInt64? { fatalError() }
    /// The entry at `index`, if it is in the in-memory log (not compacted).
    public func entry(at index: UInt64) -> Entry? { fatalError() }
    /// The leader's view of each follower's replication progress (empty unless leader).
    public var progress: [NodeID: FollowerProgress] { fatalError() }
}

/// The leader's view of one follower.
public struct FollowerProgress: Sendable, Hashable {
    public enum State: String, Sendable, Hashable { case probe, replicate, snapshot }
    public var match: UInt64
    public var next: UInt64
    public var state: State
    public var recentActive: Bool
    public var isLearner: Bool
}
