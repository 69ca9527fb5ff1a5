import CorralRaft
import Logging

/// A running Raft node: the pure `RaftNode` driven by a clock, the network transport, the
/// LMDB log (written on its own thread with group commit) and the state machine (applied on
/// its own thread). All node state lives in this actor; the threads report back as events.
public actor RaftServer {
    enum Event: Sendable {
        case input(RaftInput)
        case durable(UInt64)
        case storageFailed(String)
        case applier(Applier.Outcome)
        /// Proposals queued since the last flush go to the node as one batch.
        case flushProposals
    }

    struct Waiter {
        var continuation: CheckedContinuation<[UInt8], any Error>
        var index: UInt64 = 0
        var term: UInt64 = 0
    }

    public nonisolated let id: NodeID
    let options: RaftServerOptions
    let logger: Logger
    var node: RaftNode
    var rng = SystemRandomNumberGenerator()
    let transport: PeerTransport
    var writer: StorageWriter?
    var applier: Applier?
    let events: AsyncStream<Event>
    nonisolated let sink: AsyncStream<Event>.Continuation

    var persistSequence: UInt64 = 0
    var durableSequence: UInt64 = 0
    var held: [(sequence: UInt64, message: Message)] = []
    var acks: [(sequence: UInt64, input: RaftInput)] = []
    var outbox: [Message] = []

    var nextRequestID: UInt64 = 1
    var waiters: [UInt64: Waiter] = [:]
    var waiterAtIndex: [UInt64: UInt64] = [:]
    var reads: [UInt64: CheckedContinuation<UInt64, any Error>] = [:]
    var readsAwaitingApply: [(index: UInt64, continuation: CheckedContinuation<UInt64, any Error>)] = []
    var queued: [(Proposal, CheckedContinuation<[UInt8], any Error>)] = []
    var flushScheduled = false

    var appliedIndex: UInt64
    var lastSnapshotIndex: UInt64
    /// The index of the latest snapshot this node took itself (its data stays in the state machine).
    var localSnapshotIndex: UInt64 = 0
    var snapshotRequested = false
    var failure: String?
    var roleObserver: (@Sendable (_ role: RaftRole, _ term: UInt64, _ leader: NodeID) -> Void)?
    public nonisolated let peerAddresses: [NodeID: PeerAddress]

    /// Opens a node from its storage and state machine. The state machine is restored from
    /// the stored snapshot first if it is behind it.
    public init(
        config: RaftConfig,
        storage: any RaftLogStorage,
        machine: any ReplicatedStateMachine,
        transport: PeerTransport,
        peers: [NodeID: PeerAddress],
        options: RaftServerOptions = RaftServerOptions(),
        logger: Logger
    ) throws {
        id = config.id
        self.options = options
        self.transport = transport
        self.peerAddresses = peers
        var logger = logger
        logger[metadataKey: "node"] = "\(config.id)"
        self.logger = logger
        let state = try storage.load()
        var applied = try machine.appliedIndex()
        if let snapshot = state.snapshot, applied < snapshot.metadata.index {
            try machine.restore(snapshot)
            applied = snapshot.metadata.index
        }
        node = try RaftNode(config: config, state: state, appliedIndex: applied)
        appliedIndex = node.appliedIndex
        lastSnapshotIndex = state.snapshot?.metadata.index ?? 0
        (events, sink) = AsyncStream.makeStream(of: Event.self)
        let sink = self.sink
        writer = StorageWriter(storage: storage) { result in
            switch result {
            case .success(let sequence): sink.yield(.durable(sequence))
            case .failure(let error): sink.yield(.storageFailed("\(error)"))
            }
        }
        applier = Applier(machine: machine) { sink.yield(.applier($0)) }
        transport.onPeerRefused { peer in sink.yield(.input(.peerUnreachable(peer))) }
    }

    /// Calls `observer` (on this actor) with every change of role, term or known leader.
    public func observeRoles(_ observer: @escaping @Sendable (_ role: RaftRole, _ term: UInt64, _ leader: NodeID) -> Void) {
        roleObserver = observer
    }

    /// Hands a message that arrived from the network to the node (any thread).
    public nonisolated func deliver(_ bytes: [UInt8]) throws {
        let message = try Message(decoding: bytes)
        // Only this node hands itself its own vote (see `RaftEffect`); the network never does.
        guard message.from != id else { return }
        sink.yield(.input(.message(message)))
    }

    /// Runs the node until the calling task is cancelled.
    public func run() async {
        let sink = self.sink
        let interval = options.tickInterval
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ticks follow the monotonic clock, not the sum of sleeps: a late wake-up
                // delivers the ticks it missed, so timeouts hold in wall-clock time.
                let clock = ContinuousClock()
                var next = clock.now + interval
                while !Task.isCancelled {
                    try? await Task.sleep(until: next, clock: clock)
                    while next <= clock.now {
                        sink.yield(.input(.tick))
                        next += interval
                    }
                }
            }
            group.addTask { await self.consume() }
            await group.next()
            group.cancelAll()
        }
        shutdown(reason: "the node stopped")
    }

    private func consume() async {
        for await event in events {
            if Task.isCancelled { break }
            handle(event)
        }
    }

    func handle(_ event: Event) {
        switch event {
        case .input(let input):
            step(input)
        case .durable(let sequence):
            durableSequence = max(durableSequence, sequence)
            releaseHeld()
            let ready = acks.prefix { $0.sequence <= sequence }
            acks.removeFirst(ready.count)
            for ack in ready { step(ack.input) }
        case .storageFailed(let reason):
            fail("the Raft log could not be written: \(reason)")
        case .applier(let outcome):
            applied(outcome)
        case .flushProposals:
            flushProposals()
        }
        flushOutbox()
    }

    func step(_ input: RaftInput) {
        guard failure == nil else { return }
        let effects = node.step(input, rng: &rng)
        carryOut(effects)
    }

    private func releaseHeld() {
        let ready = held.prefix { $0.sequence <= durableSequence }
        held.removeFirst(ready.count)
        outbox.append(contentsOf: ready.map(\.message))
    }

    func flushOutbox() {
        guard !outbox.isEmpty else { return }
        // A message to this node itself (a candidate's own vote, released once durable)
        // goes back into the node, never onto the network.
        let own = outbox.filter { $0.to == id }
        let others = outbox.filter { $0.to != id }
        outbox = []
        if !others.isEmpty { transport.send(others) }
        for message in own { sink.yield(.input(.message(message))) }
    }
}
