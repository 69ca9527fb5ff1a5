/// What a shell does after `RaftEffectInterpreter` carried out the node's effects: step the
/// node with `inputs`, in order, and carry out `handOffs`, in order.
public struct RaftShellWork: Sendable, Hashable {
    /// Inputs for the node: its own vote once durable (a message it addressed to itself,
    /// never put on the network), and the acknowledgements of durable writes
    /// (`.entriesDurable`, `.snapshotDurable`), in the order they became due.
    public var inputs: [RaftInput] = []
    /// The effects that are the shell's own business, in the order the node gave them.
    public var handOffs: [RaftHandOff] = []

    public init(inputs: [RaftInput] = [], handOffs: [RaftHandOff] = []) {
        self.inputs = inputs
        self.handOffs = handOffs
    }

    public var isEmpty: Bool { inputs.isEmpty && handOffs.isEmpty }
}

/// An effect the interpreter hands to the shell: applying, reads, role changes, and what
/// became of proposals.
public enum RaftHandOff: Sendable, Hashable {
    /// Apply these committed entries to the state machine, in order; then report them with
    /// `RaftEffectInterpreter.decided` and `RaftEffectInterpreter.applied(through:)`.
    case apply([Entry])
    /// Replace the state machine's state with this snapshot; then report it with
    /// `RaftEffectInterpreter.restored(through:)`.
    case applySnapshot(Snapshot)
    /// Take a snapshot of the state machine and give it to the node (`RaftEffect.snapshotDataNeeded`).
    case snapshotDataNeeded
    /// A read may be served now: the state machine has applied `index`.
    case readReady(id: UInt64, index: UInt64)
    case readRejected(id: UInt64, reason: RaftRejection)
    /// The node's role, term or known leader changed.
    case roleChanged(role: RaftRole, term: UInt64, leader: NodeID)
    /// A proposal's answer is known.
    case proposal(ProposalOutcome)
    /// The node found its state damaged and stopped (`RaftEffect.fatal`); the interpreter
    /// has stopped too. The shell stops the node for good and answers its waiters with
    /// `RaftEffectInterpreter.stop(_:)`.
    case fatal(String)
}

/// What became of a proposal (a command or a membership change), by the id it was proposed with.
public enum ProposalOutcome: Sendable, Hashable {
    /// Applied: the state machine applied the entry at `index` in the proposal's term, and
    /// returned `result`.
    case applied(id: UInt64, index: UInt64, result: [UInt8])
    /// Not applied: refused before it reached the log.
    case rejected(id: UInt64, reason: RaftRejection)
    /// Not applied: another leader's entry, of `committedTerm`, was committed at its index.
    case superseded(id: UInt64, index: UInt64, term: UInt64, committedTerm: UInt64)
    /// Appended at (index, term), but this node cannot tell whether it was committed: it
    /// may or may not take effect.
    case unknown(id: UInt64, index: UInt64, term: UInt64, why: UnknownOutcomeReason)

    /// The proposal's id.
    public var id: UInt64 {
        switch self {
        case .applied(let id, _, _), .rejected(let id, _), .superseded(let id, _, _, _), .unknown(let id, _, _, _): id
        }
    }
}

/// Why a proposal's outcome is unknown.
public enum UnknownOutcomeReason: Sendable, Hashable {
    /// The node lost office and its log did not show within this many ticks whether the
    /// entry was committed.
    case leadershipLost(waitedTicks: UInt64)
    /// A snapshot from the leader replaced the log up to this index (a snapshot does not
    /// say which term each entry it covers had).
    case replacedBySnapshot(through: UInt64)
    /// The node stopped, for this reason, before it learned the outcome.
    case stopped(String)
}
