/// Carries out a `RaftNode`'s effects in the order Raft's safety needs, for every shell: the
/// `RaftServer` runtime (LMDB log, TCP transport, wall-clock ticks) and the simulator
/// (simulated disk and network, virtual-time ticks).
///
/// The rules (see `RaftEffect`):
/// - every `persist…` effect becomes one write to the storage queue, in order;
/// - a message that waits for persistence (a vote, a reply to a leader) is held until every
///   write before it is durable; a leader's own messages go at once (Raft thesis §10.2.1);
/// - a message the node addressed to itself (a candidate's own vote) comes back as an input,
///   released like any other held message, and never reaches the transport;
/// - a durable write is acknowledged to the node (`.entriesDurable`, `.snapshotDurable`)
///   only after the messages that waited for it are released;
/// - proposals are answered from the log (`ProposalOutcome`);
/// - a read is handed over ready only once the state machine has applied its index;
/// - once stopped (a failed write, `.fatal`) it writes and sends nothing more.
///
/// The shell steps the node itself (`node.step`) and hands the effects to `carryOut`; it
/// steps the node again with `RaftShellWork.inputs`, carries out `RaftShellWork.handOffs`,
/// reports writes with `durable(through:)`, ticks with `tick(node:)`, applied entries with
/// `decided` and `applied(through:)`, and sends what is ready with `flush(to:)`. Time is the
/// node's ticks.
public struct RaftEffectInterpreter: Sendable {
    /// The node whose effects these are.
    public let id: NodeID
    /// How many ticks a deposed leader's proposal waits for its log to show its outcome.
    public let outcomeWaitTicks: UInt64
    /// The index of the latest snapshot this node took of its own state machine. Such a
    /// snapshot is the state machine's own durable state: the log stores its metadata only,
    /// and a restart takes the data from the state machine. One installed from the leader is
    /// stored whole until the state machine has restored it.
    public var localSnapshotIndex: UInt64 = 0
    /// The sequence of the latest write submitted.
    public private(set) var submittedSequence: UInt64 = 0
    /// Every write up to this sequence is durable.
    public internal(set) var durableSequence: UInt64 = 0
    /// Ticks seen so far (`tick(node:)`).
    public internal(set) var ticks: UInt64 = 0
    /// Why the interpreter stopped, if it did.
    public internal(set) var stopReason: String?
    /// The state machine's applied index, as the shell last reported it.
    public internal(set) var appliedIndex: UInt64

    /// A defect re-introduced on purpose, to watch the simulator catch it: every message goes
    /// at once, as if nothing waited for the disk. Testing only.
    @_spi(Testing) public var sendsBeforeDurable = false

    /// The sequence of the latest persist a held message must wait for.
    private var blockingSequence: UInt64 = 0
    /// Messages waiting for the write with `sequence` to be durable, oldest first.
    var held: [(sequence: UInt64, message: Message)] = []
    /// Acknowledgements to give the node once the write with `sequence` is durable.
    var acks: [(sequence: UInt64, input: RaftInput)] = []
    /// Messages ready to send at the next `flush(to:)`.
    var outbox: [Message] = []
    var waiters = ProposalWaiters()
    /// Reads confirmed by the node, waiting for the state machine to apply their index.
    var readsAwaitingApply: [(id: UInt64, index: UInt64)] = []

    /// An interpreter for node `id` whose state machine has applied `appliedIndex`.
    public init(id: NodeID, outcomeWaitTicks: UInt64, appliedIndex: UInt64 = 0) {
        self.id = id
        self.outcomeWaitTicks = outcomeWaitTicks
        self.appliedIndex = appliedIndex
    }

    /// Messages held until a write is durable, oldest first.
    public var heldMessages: [Message] { held.map(\.message) }
    /// How many messages are held until a write is durable.
    public var heldCount: Int { held.count }
    /// Messages ready but not yet sent.
    public var unsentCount: Int { outbox.count }
    /// Proposals appended to the log and not answered yet.
    public var waitingProposals: Int { waiters.count }

    // MARK: - Effects

    /// Carries out one step's effects: writes go to `storage`, messages to the outbox (or are
    /// held); what the shell must do itself comes back in order.
    public mutating func carryOut(_ effects: [RaftEffect], storage: some RaftStorageQueue) -> RaftShellWork {
        var work = RaftShellWork()
        guard stopReason == nil else { return work }
        for effect in effects {
            switch effect {
            case .persistHardState(let hardState):
                persist(RaftWriteBatch(hardState: hardState), ack: nil, storage)
            case .persistEntries(let entries):
                let ack = entries.last.map { RaftInput.entriesDurable(index: $0.index, term: $0.term) }
                persist(RaftWriteBatch(entries: entries), ack: ack, storage)
            case .persistSnapshot(let snapshot):
                let meta = snapshot.metadata
                let stored = meta.index == localSnapshotIndex ? Snapshot(metadata: meta, data: []) : snapshot
                persist(RaftWriteBatch(snapshot: stored), ack: .snapshotDurable(index: meta.index, term: meta.term), storage)
            case .compactLog(let index):
                // Nothing waits for a compaction; it is ordered with the writes all the same.
                submit(.compact(through: index), storage)
            case .send(let message):
                if message.waitsForPersistence && durableSequence < blockingSequence && !sendsBeforeDurable {
                    held.append((blockingSequence, message))
                } else {
                    route(message, into: &work)
                }
            case .apply(let entries):
                work.handOffs.append(.apply(entries))
            case .applySnapshot(let snapshot):
                work.handOffs.append(.applySnapshot(snapshot))
            case .snapshotDataNeeded:
                work.handOffs.append(.snapshotDataNeeded)
            case .proposalAccepted(let proposal, let index, let term):
                waiters.accepted(id: proposal, index: index, term: term)
            case .proposalRejected(let proposal, let reason):
                work.handOffs.append(.proposal(.rejected(id: proposal, reason: reason)))
            case .readReady(let read, let index):
                if index <= appliedIndex {
                    work.handOffs.append(.readReady(id: read, index: index))
                } else {
                    readsAwaitingApply.append((read, index))
                }
            case .readRejected(let read, let reason):
                work.handOffs.append(.readRejected(id: read, reason: reason))
            case .roleChanged(let role, let term, let leader):
                if role != .leader { waiters.lostOffice(deadline: ticks + outcomeWaitTicks) }
                work.handOffs.append(.roleChanged(role: role, term: term, leader: leader))
            case .fatal(let reason):
                halt(reason)
                work.handOffs.append(.fatal(reason))
                return work
            }
        }
        return work
    }

    private mutating func persist(_ batch: RaftWriteBatch, ack: RaftInput?, _ storage: some RaftStorageQueue) {
        submit(.batch(batch), storage)
        blockingSequence = submittedSequence
        if let ack { acks.append((submittedSequence, ack)) }
    }

    private mutating func submit(_ operation: RaftStorageWrite.Operation, _ storage: some RaftStorageQueue) {
        submittedSequence += 1
        storage.submit(RaftStorageWrite(sequence: submittedSequence, operation: operation))
    }

    /// A message to the node itself goes back in as input; any other waits in the outbox.
    mutating func route(_ message: Message, into work: inout RaftShellWork) {
        if message.to == id {
            work.inputs.append(.message(message))
        } else {
            outbox.append(message)
        }
    }
}
