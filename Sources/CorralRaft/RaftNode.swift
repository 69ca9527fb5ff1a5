/// A pure Raft node: inputs go in, effects come out. No I/O, no clock, no randomness of
/// its own: time arrives as `.tick`, and the randomized election timeout is drawn from the
/// generator passed to `step`.
///
/// Implements elections with pre-vote and check-quorum, pipelined replication with
/// per-follower flow control and fast backtracking, the current-term commit rule,
/// ReadIndex, chunked and resumable InstallSnapshot, single-server membership changes with
/// learners, and leadership transfer. See `RaftEffect` for the persistence contract.
public struct RaftNode: Sendable {
    public let config: RaftConfig
    public var id: NodeID { config.id }

    public internal(set) var role: RaftRole = .follower
    public internal(set) var term: UInt64
    /// Who this node believes leads (0 if nobody).
    public internal(set) var leader: NodeID = 0
    public internal(set) var commitIndex: UInt64
    /// The highest index handed to the shell with `.apply` / `.applySnapshot`.
    public internal(set) var appliedIndex: UInt64
    public internal(set) var membership: Membership

    var vote: NodeID
    var log: RaftLog
    /// The latest snapshot, kept to send to followers behind the log's start.
    var latestSnapshot: Snapshot?
    /// A snapshot being received in chunks.
    var incoming: Snapshot?
    /// The index of the latest membership change in the log (or the snapshot's index).
    var configIndex: UInt64

    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout: Int
    /// Drawn from the caller's generator at the start of every step; used by timer resets.
    var nextRandomTimeout: Int
    var votes: [NodeID: Bool] = [:]
    var leaderState = LeaderState()

    var hardStateDirty = false
    var effects: [RaftEffect] = []
    /// Why the node stopped (see `RaftEffect.fatal`); nil while it runs.
    public internal(set) var fatalReason: String?
    /// The leader last reported unreachable (0 if none), and the ticks since its first
    /// report with no message from it in between (see `leaderDown`).
    var refusedLeader: NodeID = 0
    var refusalTicks = 0

    /// Restore a node from what its storage holds. `appliedIndex` is how far the state
    /// machine got, if it keeps its own applied index durably; by default it is restored
    /// from the snapshot and re-applies from there.
    ///
    /// Throws `RaftStateError` when the stored state contradicts itself (committed or
    /// applied entries missing from the log, a log with gaps, a log that does not connect
    /// to or agree with the snapshot, a term older than the log's): such a node must not
    /// run, since it would vote and acknowledge as if it held entries it lost.
    public init(config: RaftConfig, state: RaftPersistentState, appliedIndex: UInt64? = nil) throws(RaftStateError) {
        self.config = config
        let snapshotIndex = state.snapshot?.metadata.index ?? 0
        let snapshotTerm = state.snapshot?.metadata.term ?? 0
        let acceptsDamage = config.brokenRules.contains(.acceptCommittedConflict)
        var entries = state.entries
        if let damage = RaftLog.damage(snapshotIndex: snapshotIndex, snapshotTerm: snapshotTerm, entries: entries) {
            guard acceptsDamage else { throw RaftStateError(code: damage.code, node: config.id, detail: damage.detail) }
            entries = []
        }
        log = RaftLog(snapshotIndex: snapshotIndex, snapshotTerm: snapshotTerm, entries: entries)
        let newestTerm = max(log.lastTerm, snapshotTerm)
        if state.hardState.term < newestTerm && !acceptsDamage {
            throw RaftStateError(
                code: .termBehindLog, node: config.id,
                detail: "the stored term \(state.hardState.term) is older than term \(newestTerm) of the stored log: the term (and any vote in it) was lost")
        }
        if state.hardState.commit > log.lastIndex && !acceptsDamage {
            throw RaftStateError(
                code: .commitBeyondLog, node: config.id,
                detail: "the stored commit index \(state.hardState.commit) is beyond the last stored entry \(log.lastIndex): committed entries were lost")
        }
        if let appliedIndex, appliedIndex > log.lastIndex, !acceptsDamage {
            throw RaftStateError(
                code: .appliedBeyondLog, node: config.id,
                detail: "the state machine applied up to index \(appliedIndex) but the log ends at index \(log.lastIndex): applied entries were lost from the log")
        }
        latestSnapshot = state.snapshot
        term = state.hardState.term
        vote = state.hardState.vote
        let applied = min(max(appliedIndex ?? snapshotIndex, snapshotIndex), log.lastIndex)
        self.appliedIndex = applied
        commitIndex = min(max(state.hardState.commit, applied), log.lastIndex)
        membership = state.snapshot?.metadata.membership ?? Membership(voters: [])
        configIndex = snapshotIndex
        randomizedElectionTimeout = config.electionTimeoutTicks
        nextRandomTimeout = config.electionTimeoutTicks
        recomputeMembership()
    }

    /// Feed one input; returns the effects to carry out, in order (see `RaftEffect`).
    public mutating func step(_ input: RaftInput, rng: inout some RandomNumberGenerator) -> [RaftEffect] {
        guard fatalReason == nil else { return [] }
        let spread = max(1, config.electionTimeoutTicks)
        nextRandomTimeout = config.electionTimeoutTicks + Int.random(in: 0..<spread, using: &rng)
        let before = (role, term, leader)
        switch input {
        case .tick:
            tick()
        case .message(let message):
            if message.to == id { receive(message) }
        case .propose(let id, let command):
            propose([Proposal(id: id, command: command)])
        case .proposeBatch(let proposals):
            propose(proposals)
        case .proposeConfigChange(let id, let change):
            proposeConfigChange(id: id, change: change)
        case .readIndex(let id):
            readIndex(id: id)
        case .transferLeadership(let target):
            transferLeadership(to: target)
        case .entriesDurable(let index, let term):
            log.markDurable(index: index, term: term)
            if role == .leader { maybeCommit() }
        case .snapshotDurable(let index, let term):
            snapshotDurable(index: index, term: term)
        case .snapshotTaken(let snapshot, let trailing):
            snapshotTaken(snapshot, trailingEntries: trailing)
        case .peerUnreachable(let peer):
            leaderDown(peer, rng: &rng)
        }
        if let reason = fatalReason {
            // Nothing else from this input is carried out: the node stops as it stood.
            effects = []
            return [.fatal(reason)]
        }
        flushHardState()
        maybeApply()
        if before != (role, term, leader) {
            effects.append(.roleChanged(role: role, term: term, leader: leader))
        }
        defer { effects = [] }
        return effects
    }

    // MARK: - Read-only views, for the shell, status pages and invariant checkers

    public var hardState: HardState { HardState(term: term, vote: vote, commit: commitIndex) }
    /// The snapshot the log starts after (nil for a node that joined and has no log yet).
    public var snapshotMetadata: SnapshotMetadata? { latestSnapshot?.metadata }
    public var firstIndex: UInt64 { log.firstIndex }
    public var lastIndex: UInt64 { log.lastIndex }
    /// The highest index the shell has confirmed durable.
    public var durableIndex: UInt64 { log.durableIndex }
    /// The term of the entry at `index`, if the node knows it (snapshot boundary included).
    public func term(at index: UInt64) -> UInt64? { log.term(at: index) }
    /// The entry at `index`, if it is in the in-memory log (not compacted).
    public func entry(at index: UInt64) -> Entry? { log.entry(at: index) }
    /// The membership in force at `index`: the latest change at or before it. Nil when the
    /// log no longer shows that far back. Use it for the metadata of a snapshot at `index`.
    public func membership(at index: UInt64) -> Membership? {
        guard index <= log.lastIndex else { return nil }
        var position = index
        while position >= log.firstIndex, position > 0, let entry = log.entry(at: position) {
            if case .configChange(_, let next) = entry.payload { return next }
            position -= 1
        }
        // No change between the log's start and `index`: the snapshot's membership holds if
        // no change sits between `index` and the snapshot either.
        guard let snapshot = latestSnapshot else { return nil }
        var scan = index + 1
        while scan <= snapshot.metadata.index {
            if case .configChange = log.entry(at: scan)?.payload { return nil }
            scan += 1
        }
        return position + 1 >= log.firstIndex || index >= snapshot.metadata.index ? snapshot.metadata.membership : nil
    }

    /// The leader's view of each follower's replication progress (empty unless leader).
    public var progress: [NodeID: FollowerProgress] {
        guard role == .leader else { return [:] }
        return leaderState.progress.mapValues(\.view)
    }
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

/// State that only a leader has; reset whenever a node becomes leader.
struct LeaderState: Sendable {
    var progress: [NodeID: Progress] = [:]
    /// No membership change may be proposed until the commit index reaches this.
    var pendingConfigIndex: UInt64 = 0
    var transferee: NodeID = 0
    var readContext: UInt64 = 0
    var pendingReads: [PendingRead] = []
    /// Reads that wait for the leader's first commit in its term.
    var readsAwaitingCommit: [UInt64] = []
    var uncommittedBytes = 0
    /// `.snapshotDataNeeded` was emitted and no data has come yet.
    var snapshotDataRequested = false
}

/// A ReadIndex request waiting for a quorum to confirm the leader's leadership.
struct PendingRead: Sendable {
    var id: UInt64
    var index: UInt64
    var context: UInt64
    var acks: Set<NodeID>
}
