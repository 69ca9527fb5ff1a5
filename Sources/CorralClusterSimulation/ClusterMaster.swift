import CorralMaster
import CorralModel
import CorralRaft
import CorralReplication
import CorralSimulation
import Foundation

/// One simulated master process: the Raft node and its effect interpreter (the ones
/// `RaftServer` runs), a disk, the registry applied with `MasterStateMachine.applyCommands`,
/// and the leader's state machine, whose actions this shell carries out as `MasterLeader`
/// does: streams become network deliveries, commits become proposals whose outcomes go back
/// to it.
final class ClusterMaster {
    enum Phase: Equatable {
        case following
        /// Elected at `term`, waiting for its read index (`MasterLeader.activate`).
        case recovering(term: UInt64, read: UInt64)
        case leading(term: UInt64)
    }

    /// A stream to a client: records wait in `backlog` until the call that opened it is
    /// answered (the answer tells the client the stream's ID).
    struct ServerStream {
        var streamID: String
        var client: Client?
        var backlog: [StreamDelivery.Payload]
        var lastAt: UInt64
    }

    unowned let engine: ClusterEngine
    let index: Int
    let raftConfig: RaftConfig
    let scheduling: SchedulingConfig
    let clockRate: Double
    /// How far this master's wall clock is off, in nanoseconds (it jumps in a clock-jump fault).
    var wallOffset: UInt64
    var up = true
    var incarnation: UInt64 = 0
    var node: RaftNode?
    var rng: SimulationRNG
    var diskRNG: SimulationRNG
    var interpreter: RaftEffectInterpreter
    var disk: SimulatedDisk
    /// Until when its disk is slow (each sync 20-150 ms): a disk fault.
    var slowDiskUntil: UInt64 = 0
    /// Whether the next write fails (and stops the master when it does): a disk fault.
    var failNextWrite = false
    /// Writes submitted, in order, with when each completes.
    var writes: [(sequence: UInt64, at: UInt64)] = []
    var registry = Registry()
    /// Changes applied that the leader has not heard of yet (`hear`), oldest first.
    var unheardChanges: [RegistryChange] = []
    var changeDeliveries: UInt64 = 0
    var appliedIndex: UInt64 = 0
    var clockMoved: ClockObservation?
    var core: LeaderStateMachine
    var phase = Phase.following
    var raftLeader: NodeID = 0
    /// Proposals waiting for their outcome, and what goes on with it (nil: nothing waits).
    var proposals: [UInt64: LeaderStateMachine.Continuation?] = [:]
    var nextProposal: UInt64 = 0
    var calls: [CallID: CallRequest] = [:]
    var nextCall: UInt64 = 0
    var streams: [ServerStreamKey: ServerStream] = [:]
    var uuidRNG: SimulationRNG
    /// Inputs for the node that arrived while it was being stepped.
    var stepping = false
    var deferred: [RaftInput] = []

    var id: NodeID { NodeID(index + 1) }

    /// Ticks a proposal's caller waits for the log to show its fate after leadership is lost.
    static let outcomeWaitTicks: UInt64 = 60

    init(index: Int, voters: Set<NodeID>, seed: UInt64, clockRate: Double, engine: ClusterEngine) {
        self.engine = engine
        self.index = index
        self.clockRate = clockRate
        raftConfig = RaftConfig(id: NodeID(index + 1), electionTimeoutTicks: 6, heartbeatTicks: 1)
        var scheduling = SchedulingConfig()
        scheduling.heartbeatIntervalSeconds = 1
        scheduling.agentHeartbeatSeconds = 1
        scheduling.agentTimeoutSeconds = 5
        scheduling.failoverGraceSeconds = 5
        scheduling.updateRetrySeconds = 2
        self.scheduling = scheduling
        rng = SimulationRNG(seed: seed, stream: "master-raft", index: UInt64(index))
        diskRNG = SimulationRNG(seed: seed, stream: "master-disk", index: UInt64(index))
        uuidRNG = SimulationRNG(seed: seed, stream: "master-ids", index: UInt64(index))
        var setup = SimulationRNG(seed: seed, stream: "master-setup", index: UInt64(index))
        wallOffset = engine.config.faults ? UInt64.random(in: 0...2_000_000_000, using: &setup) : 0
        let bootstrap = RaftPersistentState(
            snapshot: Snapshot(
                metadata: SnapshotMetadata(index: 0, term: 0, membership: Membership(voters: voters)),
                data: []
            )
        )
        disk = SimulatedDisk(bootstrap)
        interpreter = RaftEffectInterpreter(id: NodeID(index + 1), outcomeWaitTicks: Self.outcomeWaitTicks)
        core = LeaderStateMachine(timing: LeaderStateMachine.Timing(scheduling), now: engine.epoch)
    }

    // MARK: - Time

    /// This process's monotonic clock (it runs at `clockRate`).
    var instant: ContinuousClock.Instant {
        engine.epoch + .microseconds(Int64(Double(engine.now) * clockRate))
    }

    var context: LeaderContext {
        LeaderContext(
            now: instant,
            wall: ClusterEngine.wallEpoch + UInt64(Double(engine.now) * clockRate) * 1000 + wallOffset,
            registry: registry,
            clockMoved: clockMoved
        )
    }

    // MARK: - Lifecycle

    func start() {
        do {
            node = try RaftNode(config: raftConfig, state: disk.durable)
        } catch {
            engine.checker.report(.recovery, "m\(index + 1) cannot start: \(error)")
            return
        }
        up = true
        phase = .following
        registry = Registry()
        appliedIndex = 0
        clockMoved = nil
        interpreter = RaftEffectInterpreter(id: id, outcomeWaitTicks: Self.outcomeWaitTicks)
        core = LeaderStateMachine(timing: LeaderStateMachine.Timing(scheduling), now: instant)
        core.masterInfo = MasterInfo(id: "sim-m\(index + 1)")
        core.breaks = engine.config.breaks.reduce(into: []) { $0.formUnion($1.masterBreaks) }
        var ids = SimulationRNG(seed: uuidRNG.next(), stream: "uuid")
        core.newUUID = { UUID(uuid: Self.uuidBytes(&ids)) }
        engine.schedule(
            .leaderTick(master: index, incarnation: incarnation),
            after: ClusterEngine.leaderTickMicros,
            key: engine.key(11, index, incarnation)
        )
    }

    static func uuidBytes(_ rng: inout SimulationRNG) -> uuid_t {
        let a = rng.next()
        let b = rng.next()
        func byte(_ word: UInt64, _ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: word >> UInt64(8 * i)) }
        return (
            byte(a, 0), byte(a, 1), byte(a, 2), byte(a, 3), byte(a, 4), byte(a, 5), byte(a, 6), byte(a, 7),
            byte(b, 0), byte(b, 1), byte(b, 2), byte(b, 3), byte(b, 4), byte(b, 5), byte(b, 6), byte(b, 7)
        )
    }

    /// The process dies: only the disk's durable part survives; its clients see their
    /// connections reset.
    func crash(downFor micros: UInt64) {
        guard up else { return }
        engine.note("m\(index + 1) crashes")
        engine.counters.masterCrashes += 1
        for (key, stream) in streams.sorted(by: { $0.key.order < $1.key.order }) { endStream(key, stream) }
        streams = [:]
        up = false
        incarnation += 1
        node = nil
        disk.crash()
        writes = []
        proposals = [:]
        calls = [:]
        deferred = []
        unheardChanges = []
        phase = .following
        engine.schedule(
            .restartMaster(index, incarnation: incarnation),
            after: micros,
            key: engine.key(12, index, incarnation)
        )
    }

    func restart(incarnation: UInt64) {
        guard !up, incarnation == self.incarnation else { return }
        engine.note("m\(index + 1) restarts")
        start()
    }

    // MARK: - Raft

    func raftTick() {
        guard up else { return }
        feed(.tick)
    }

    func receive(_ message: Message) {
        guard up else { return }
        feed(.message(message))
    }

    /// Steps the node with `input` and whatever its effects feed back.
    func feed(_ input: RaftInput) {
        guard up, node != nil else { return }
        if stepping {
            deferred.append(input)
            return
        }
        stepping = true
        defer { stepping = false }
        var inputs = [input]
        var next = 0
        while next < inputs.count || !deferred.isEmpty {
            if next == inputs.count {
                inputs += deferred
                deferred = []
            }
            let current = inputs[next]
            next += 1
            guard up, let effects = node?.step(current, rng: &rng) else { return }
            let io = MasterIO(master: self)
            let work = interpreter.carryOut(effects, storage: io)
            interpreter.flush(to: io)
            if case .tick = current, let node { resolve(interpreter.tick(node: node)) }
            inputs += work.inputs
            handOver(work.handOffs)
            observeRole()
        }
    }

    private func observeRole() {
        guard let node else { return }
        if node.role == .leader {
            engine.checker.observeLeader(term: node.term, master: index)
            if phase == .following { beginLeading(term: node.term) }
        } else if phase != .following {
            stepDown()
        }
    }

    func handOver(_ handOffs: [RaftHandOff]) {
        for handOff in handOffs {
            switch handOff {
            case .apply(let entries):
                for entry in entries { apply(entry) }
                handOver(interpreter.applied(through: appliedIndex))
            case .applySnapshot, .snapshotDataNeeded:
                engine.checker.report(
                    .recovery,
                    "m\(index + 1) was asked for a snapshot, but none is ever taken here"
                )
            case .readReady(let id, _):
                if case .recovering(let term, let read) = phase, read == id { lead(term: term) }
            case .readRejected(let id, _):
                if case .recovering(_, let read) = phase, read == id { phase = .following }
            case .roleChanged(_, _, let leader):
                raftLeader = leader
            case .proposal(let outcome):
                resolve([outcome])
            case .fatal(let reason):
                engine.checker.report(.recovery, "m\(index + 1) stopped: \(reason)")
                crash(downFor: 1_000_000)
                return
            }
        }
    }

    /// Applies one committed entry to the registry; the leader acts on what changed.
    private func apply(_ entry: Entry) {
        guard entry.index == appliedIndex + 1 else {
            engine.checker.report(
                .appliedLog,
                "m\(index + 1) applied \(entry.index) right after \(appliedIndex)"
            )
            return
        }
        appliedIndex = entry.index
        let before = registry.clockNanos
        let batch = MasterStateMachine.applyCommands([entry], to: &registry) { engine.decode($0, at: entry) }
        if registry.clockNanos != before {
            clockMoved = ClockObservation(nanos: registry.clockNanos, at: instant)
        }
        engine.checker.observeApply(master: index, entry: entry)
        for change in batch.changes { engine.checker.observeChange(change) }
        let outcomes = interpreter.decided(
            index: entry.index,
            term: entry.term,
            result: batch.results[entry.index] ?? []
        )
        // Changes and outcomes reach the real leader on separate paths, in either order; and
        // the real master applies entries ahead of its leader hearing of their changes, so a
        // change may reach the leader after later entries were applied (`changesHeard`).
        if engine.orderRNG.chance(0.5) {
            hear(batch.changes)
            resolve(outcomes)
        } else {
            resolve(outcomes)
            hear(batch.changes)
        }
    }

    /// Hands `changes` to the leader now, or queues them to be heard later, in order: mostly
    /// within 2 ms, now and then up to 300 ms (a busy leader, or an apply thread catching up).
    private func hear(_ changes: [RegistryChange]) {
        guard !changes.isEmpty else { return }
        if unheardChanges.isEmpty && engine.orderRNG.chance(0.5) {
            changed(changes)
            return
        }
        let first = unheardChanges.isEmpty
        unheardChanges += changes
        guard first else { return }
        changeDeliveries += 1
        engine.schedule(
            .changesHeard(master: index, incarnation: incarnation),
            after: engine.orderRNG.next(upperBound: engine.orderRNG.chance(0.1) ? UInt64(300_001) : 2_001),
            key: engine.key(22, index, changeDeliveries)
        )
    }

    /// The queued changes reach the leader, against the registry as it stands now.
    func changesHeard(incarnation: UInt64) {
        guard up, incarnation == self.incarnation else { return }
        let changes = unheardChanges
        unheardChanges = []
        changed(changes)
    }

    private func changed(_ changes: [RegistryChange]) {
        guard case .leading = phase else { return }
        for change in changes { perform(core.registryChanged(change, in: context)) }
    }

    /// Hands each proposal's outcome to what waits for it.
    func resolve(_ outcomes: [ProposalOutcome]) {
        for outcome in outcomes {
            guard let waiting = proposals.removeValue(forKey: outcome.id), let continuation = waiting else {
                continue
            }
            // Answered as `RaftServer` answers its callers.
            let wait = Duration.microseconds(Int64(Self.outcomeWaitTicks * ClusterEngine.tickMicros))
            let result = ReplicationError.result(
                of: outcome,
                operation: "propose",
                outcomeWait: wait,
                addresses: [:]
            )
            .map { RegistryOutcome(decoding: $0) }.mapError { $0 as any Error }
            perform(core.resume(continuation, with: result, in: context))
        }
    }

    func propose(_ command: RegistryCommand, then continuation: LeaderStateMachine.Continuation?) {
        nextProposal += 1
        proposals[nextProposal] = .some(continuation)
        let bytes = engine.payload(for: command)
        feed(.propose(id: nextProposal, command: bytes))
    }

    func diskDone(incarnation: UInt64, sequence: UInt64) {
        guard up, incarnation == self.incarnation else { return }
        while let first = writes.first, first.at <= engine.now {
            if disk.oldestPending(sequence: first.sequence)?.fails == true {
                // A write that fails stops the master, as `RaftServer` stops on a failed
                // sync (fail-stop): what it had not synced is lost, and it starts again.
                engine.note("m\(index + 1)'s write failed: it stops (fail-stop)")
                crash(downFor: UInt64.random(in: 500_000...2_000_000, using: &diskRNG))
                return
            }
            writes.removeFirst()
            guard let (_, error) = disk.complete(sequence: first.sequence) else { continue }
            if let error { engine.checker.report(.recovery, "m\(index + 1) disk: \(error)") }
            let work = interpreter.durable(through: first.sequence)
            interpreter.flush(to: MasterIO(master: self))
            for input in work.inputs { feed(input) }
            handOver(work.handOffs)
        }
    }
}

/// A master's disk and network, as its effect interpreter sees them.
struct MasterIO: RaftStorageQueue, RaftMessageSender {
    let master: ClusterMaster

    func submit(_ write: RaftStorageWrite) {
        let engine = master.engine
        let slow = engine.now < master.slowDiskUntil
        let delay = UInt64.random(in: slow ? 20_000...150_000 : 100...1_500, using: &master.diskRNG)
        let fails = master.failNextWrite
        master.failNextWrite = false
        let pending = master.disk.submit(write, now: engine.now, delayMicros: delay, fails: fails)
        master.writes.append((write.sequence, pending.completesAt))
        engine.queue.push(
            .diskDone(master: master.index, incarnation: master.incarnation, sequence: write.sequence),
            at: pending.completesAt,
            key: engine.key(8, master.index, write.sequence)
        )
    }

    func send(_ messages: [Message]) {
        for message in messages { master.engine.transmit(message) }
    }
}
