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

    /// A caller waiting for its proposal or membership change to be answered; the
    /// interpreter knows where the entry was appended.
    struct Waiter {
        var continuation: CheckedContinuation<[UInt8], any Error>
        var operation: String
        /// When the proposal arrived, if the node measures (`metrics`).
        var arrived: ContinuousClock.Instant? = nil
    }

    public nonisolated let id: NodeID
    let options: RaftServerOptions
    let logger: Logger
    var node: RaftNode
    var rng = SystemRandomNumberGenerator()
    let transport: any RaftTransport
    let writer: StorageWriter
    let applier: Applier
    /// Persists before it sends, acknowledges durable writes, answers proposals from the log.
    var interpreter: RaftEffectInterpreter
    let events: AsyncStream<Event>
    nonisolated let sink: AsyncStream<Event>.Continuation

    var nextRequestID: UInt64 = 1
    var waiters: [UInt64: Waiter] = [:]
    /// The largest command whose entry fits in one transport frame.
    let maxCommandBytes: Int
    var reads: [UInt64: CheckedContinuation<UInt64, any Error>] = [:]
    var queued: [(Proposal, CheckedContinuation<[UInt8], any Error>)] = []
    var flushScheduled = false

    /// What the state machine has applied (reads may see it).
    var appliedIndex: UInt64 { interpreter.appliedIndex }
    var lastSnapshotIndex: UInt64
    var snapshotRequested = false
    var failure: String?
    var roleObserver: (@Sendable (_ role: RaftRole, _ term: UInt64, _ leader: NodeID) -> Void)?
    public nonisolated let peerAddresses: [NodeID: PeerAddress]
    /// The node's current term, for log metadata.
    public nonisolated let termGauge: TermGauge
    /// What the storage and apply threads record; nil: the node measures nothing.
    let metrics: RaftMetrics?
    /// What this actor counts for `/metrics` (only while `metrics` is set).
    var counters = RaftCounters()
    /// The leader last reported to observers, to count changes.
    var lastLeader: NodeID = 0

    /// Opens a node from its storage and state machine. The state machine is restored from
    /// the stored snapshot first if it is behind it.
    public init(
        config: RaftConfig,
        storage: any RaftLogStorage,
        machine: any ReplicatedStateMachine,
        transport: any RaftTransport,
        peers: [NodeID: PeerAddress],
        options: RaftServerOptions = RaftServerOptions(),
        termGauge: TermGauge = TermGauge(),
        metrics: RaftMetrics? = nil,
        logger: Logger
    ) throws {
        id = config.id
        self.metrics = metrics
        self.options = options
        maxCommandBytes = Self.maxCommandBytes(frameBytes: options.maxFrameBytes)
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
        self.termGauge = termGauge
        termGauge.set(node.term)
        let outcomeWaitTicks = UInt64(max(1, (options.outcomeWait / options.tickInterval).rounded(.up)))
        interpreter = RaftEffectInterpreter(id: config.id, outcomeWaitTicks: outcomeWaitTicks, appliedIndex: node.appliedIndex)
        lastSnapshotIndex = state.snapshot?.metadata.index ?? 0
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        self.events = events
        self.sink = sink
        writer = StorageWriter(storage: storage, metrics: metrics) { result in
            switch result {
            case .success(let sequence): sink.yield(.durable(sequence))
            case .failure(let error): sink.yield(.storageFailed("\(error)"))
            }
        }
        applier = Applier(
            machine: machine, maxBatchEntries: options.applyBatchMaxEntries, maxBatchBytes: options.applyBatchMaxBytes,
            metrics: metrics
        ) { sink.yield(.applier($0)) }
        transport.onPeerRefused { peer in sink.yield(.input(.peerUnreachable(peer))) }
    }

    /// Calls `observer` (on this actor) with every change of role, term or known leader.
    public func observeRoles(_ observer: @escaping @Sendable (_ role: RaftRole, _ term: UInt64, _ leader: NodeID) -> Void) {
        roleObserver = observer
    }

    /// Hands a message that arrived from the network to the node (any thread).
    public nonisolated func deliver(_ message: Message) {
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
                let clock = ContinuousClock()
                var schedule = TickSchedule(start: clock.now, interval: interval)
                while !Task.isCancelled {
                    try? await Task.sleep(until: schedule.next, clock: clock)
                    for _ in 0..<schedule.due(at: clock.now) { sink.yield(.input(.tick)) }
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
            finish(interpreter.durable(through: sequence))
        case .storageFailed(let reason):
            fail("the Raft log could not be written: \(reason)")
        case .applier(let outcome):
            applied(outcome)
        case .flushProposals:
            flushProposals()
        }
        flushOutbox()
    }

    /// Steps the node with `input`, then with every input its effects feed back (its own
    /// vote, acknowledgements), carrying out the effects of each step.
    func step(_ input: RaftInput) {
        guard failure == nil else { return }
        let work = interpreter.carryOut(node.step(input, rng: &rng), storage: writer)
        if case .tick = input { answer(interpreter.tick(node: node)) }
        finish(work)
    }

    /// Carries out effects as if the node had given them.
    func carryOut(_ effects: [RaftEffect]) {
        finish(interpreter.carryOut(effects, storage: writer))
    }

    /// Carries out what the interpreter handed over, then steps the node with its inputs.
    func finish(_ work: RaftShellWork) {
        handOver(work.handOffs)
        for input in work.inputs { step(input) }
    }

    /// Sends what is ready.
    func flushOutbox() {
        interpreter.flush(to: transport)
    }

    /// The largest command an entry may carry so that an append with that one entry, in
    /// its encoding on the wire, fits in a frame of `frameBytes`.
    static func maxCommandBytes(frameBytes: Int) -> Int {
        let widest = Message(
            from: .max, to: .max, term: .max,
            body: .append(AppendRequest(
                prevIndex: .max, prevTerm: .max, entries: [Entry(term: .max, index: .max, payload: .command([]))], commit: .max)))
        // The command's length prefix grows from one byte to at most ten (a varint).
        return frameBytes - widest.encoded().count - 9
    }
}
