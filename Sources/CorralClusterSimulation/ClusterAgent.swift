import CorralAgent
import CorralMaster
import CorralModel
import CorralSimulation

/// One simulated agent process: the agent's state machine (the one `corral agent` runs),
/// its checkpoint, its connections to the masters, and containers that outlive the agent
/// process as the real ones do (a detached supervisor per task).
final class ClusterAgent: ClusterClient {
    /// A task's container: started, then running for `runMicros`, then exited.
    struct Container {
        enum State {
            case starting
            case running
            case exited(TaskEnd)
        }

        var serial: UInt64
        var cpus: Double
        var mem: Double
        var state: State
        var runMicros: UInt64
    }

    /// A connection the state machine opened (`AgentEffect.subscribe`).
    struct Connection {
        var master: Int
        var streamID: String?
        /// The term of the stream's SUBSCRIBED, once it came.
        var subscribedTerm: UInt64?
    }

    /// A record a master's stream carried to this agent, kept for the desync fault.
    struct SentRecord {
        var master: Int
        var streamID: String
        var event: AgentEvent
    }

    enum PendingCall {
        case subscribe(connection: UInt64, call: AgentCall, hops: Int)
        case post(uuid: [UInt8]?, report: TaskKey?, state: TaskState?)
    }

    unowned let engine: ClusterEngine
    let index: Int
    let clockRate: Double
    let info: AgentInfo
    static let cpus = 4.0
    static let mem = 4096.0
    var up = true
    var incarnation: UInt64 = 0
    var machine: AgentStateMachine?
    var checkpoint = AgentCheckpointState.empty
    var connections: [UInt64: Connection] = [:]
    var pending: [UInt64: PendingCall] = [:]
    var leaderGuess: Int
    var watchTurn = 0
    var containers: [TaskKey: Container] = [:]
    /// The latest records streams carried to this agent (at most `keptRecords`).
    var sentRecords: [SentRecord] = []
    static let keptRecords = 16
    var rng: SimulationRNG
    var inputs: [AgentInput] = []
    var stepping = false
    /// When the state machine wants its tick, and when the queued timer event fires.
    var timerDue: UInt64?
    var timerQueuedAt: UInt64?

    init(index: Int, seed: UInt64, clockRate: Double, engine: ClusterEngine) {
        self.engine = engine
        self.index = index
        self.clockRate = clockRate
        info = AgentInfo(
            hostname: "agent-\(index + 1)",
            port: 5051,
            resources: [.scalar("cpus", Scalar(Self.cpus)), .scalar("mem", Scalar(Self.mem))]
        )
        rng = SimulationRNG(seed: seed, stream: "agent", index: UInt64(index))
        leaderGuess = index % engine.config.masters
    }

    var name: String { "a\(index + 1)" }

    var instant: ContinuousClock.Instant {
        engine.epoch + .microseconds(Int64(Double(engine.now) * clockRate))
    }

    var agentID: AgentID? { machine?.info.id ?? checkpoint.agentID }

    // MARK: - Lifecycle

    func start() {
        var configuration = AgentConfiguration()
        configuration.fencesTerms = !engine.config.breaks.contains(.termFence)
        let random = SimulationRNG(seed: rng.next(), stream: "agent-machine")
        machine = AgentStateMachine(info: info, configuration: configuration, random: random)
        up = true
        feed(.started(recovered: checkpoint))
        scheduleWatch()
    }

    func crash(downFor micros: UInt64) {
        guard up else { return }
        engine.note("\(name) crashes")
        engine.counters.agentCrashes += 1
        for (_, connection) in connections { closeOnMaster(connection) }
        connections = [:]
        pending = [:]
        inputs = []
        machine = nil
        up = false
        incarnation += 1
        timerDue = nil
        timerQueuedAt = nil
        engine.schedule(
            .restartAgent(index, incarnation: incarnation),
            after: micros,
            key: engine.key(13, index, incarnation)
        )
    }

    func restart(incarnation: UInt64) {
        guard !up, incarnation == self.incarnation else { return }
        engine.note("\(name) restarts")
        start()
    }

    // MARK: - The state machine

    func feed(_ input: AgentInput) {
        guard up else { return }
        inputs.append(input)
        guard !stepping else { return }
        stepping = true
        defer { stepping = false }
        while !inputs.isEmpty, up {
            let next = inputs.removeFirst()
            let heard = machine?.highestTerm ?? 0
            guard let effects = machine?.step(next, now: instant) else { return }
            if case .event(let event, let number) = next, event.term < heard {
                checkStale(event, heard: heard, connection: number, effects: effects)
            }
            for effect in effects { carryOut(effect) }
        }
    }

    /// A record from a term older than one the agent has heard comes from a deposed leader:
    /// the agent must leave that stream and act on nothing it says.
    private func checkStale(_ event: AgentEvent, heard: UInt64, connection: UInt64, effects: [AgentEffect]) {
        guard connections[connection] != nil else { return }
        let acted = effects.compactMap { effect -> String? in
            switch effect {
            case .launch(let launch): "launched \(launch.key.taskID.value)"
            case .kill(let key, _): "killed \(key.taskID.value)"
            default: nil
            }
        }
        let left = effects.contains { if case .closeStream(connection) = $0 { true } else { false } }
        guard !acted.isEmpty || !left else { return }
        let what = acted.isEmpty ? "kept the stream" : acted.joined(separator: ", ")
        engine.checker.report(
            .staleTerm,
            "\(name) took a \(event.type.rawValue) of term \(event.term) after hearing term \(heard), and \(what)"
        )
    }

    /// The timer the state machine armed fires when due; one event waits in the queue at a
    /// time (a later arming waits for it, an earlier one goes ahead of it).
    func timerFired(incarnation: UInt64) {
        guard up, incarnation == self.incarnation else { return }
        if timerQueuedAt == engine.now { timerQueuedAt = nil }
        if let due = timerDue, due <= engine.now {
            timerDue = nil
            feed(.tick)
        }
        ensureTimer()
    }

    private func ensureTimer() {
        guard let due = timerDue else { return }
        if let queued = timerQueuedAt, queued <= due, queued >= engine.now { return }
        timerQueuedAt = due
        engine.queue.push(
            .agentTimer(agent: index, incarnation: incarnation),
            at: due,
            key: engine.key(14, index, due)
        )
    }

    private func carryOut(_ effect: AgentEffect) {
        switch effect {
        case .persist(let changes):
            checkpoint.apply(changes)
        case .subscribe(let call, let connection):
            connections[connection] = Connection(master: leaderGuess)
            send(.subscribe(connection: connection, call: call, hops: 0), to: leaderGuess)
        case .post(let call, let streamID):
            guard let connection = connections.values.first(where: { $0.streamID == streamID }) else {
                return
            }
            let number = engine.call(
                from: .agent(index),
                to: connection.master,
                .agentCall(call, streamID: streamID)
            )
            let report = call.update.map { TaskKey($0.frameworkID, $0.status.taskID) }
            pending[number] = .post(
                uuid: call.update?.status.uuid,
                report: report,
                state: call.update?.status.state
            )
        case .closeStream(let number):
            if let connection = connections.removeValue(forKey: number) { closeOnMaster(connection) }
        case .launch(let launch):
            startContainer(launch)
        case .recover(let task):
            recover(task.key)
        case .kill(let key, _):
            kill(key)
        case .armTimer(let at):
            // Rounded up, so that the agent's clock has reached `at` when the timer fires.
            let elapsed = (at - engine.epoch).components
            let attos = elapsed.attoseconds
            let local = max(0, elapsed.seconds * 1_000_000 + (attos + 999_999_999_999) / 1_000_000_000_000)
            timerDue = max(engine.now, UInt64((Double(local) / clockRate).rounded(.up)))
            ensureTimer()
        case .log(_, let message, let metadata):
            engine.note(
                "\(name) \(message) \(metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
            )
        case .startHealthChecks, .stopHealthChecks, .keepVolumes:
            break
        case .launchExecutor, .recoverExecutor, .sendExecutor, .closeExecutorStream, .killExecutor:
            engine.checker.report(
                .workload,
                "\(name) was asked to run an executor; the simulated workload has none"
            )
        }
    }

    private func send(_ call: PendingCall, to master: Int) {
        guard case .subscribe(let connection, let agentCall, let hops) = call,
            let subscribe = agentCall.subscribe
        else { return }
        connections[connection]?.master = master
        let number = engine.call(from: .agent(index), to: master, .agentSubscribe(subscribe), hops: hops)
        pending[number] = call
    }

    /// The master learns that the agent's end of a stream closed.
    private func closeOnMaster(_ connection: Connection) {
        guard let streamID = connection.streamID, let id = agentID else { return }
        let master = engine.masters[connection.master]
        guard engine.network.isOpen(node, connection.master) else { return }
        engine.schedule(
            .streamClosedByClient(
                master: connection.master,
                incarnation: master.incarnation,
                stream: .agent(id),
                streamID: streamID
            ),
            after: engine.network.latency(),
            key: engine.key(15, index, UInt64(connection.master))
        )
    }

    var node: Int { Client.agent(index).node }

    // MARK: - The network

    func answered(_ response: CallResponse) {
        guard up, let call = pending.removeValue(forKey: response.number) else { return }
        switch (call, response.result) {
        case (.subscribe(let connection, let agentCall, let hops), .redirect(let leader)):
            guard connections[connection] != nil else { return }
            let next = leader ?? (response.master + 1) % engine.config.masters
            leaderGuess = next
            if hops < 3 {
                send(.subscribe(connection: connection, call: agentCall, hops: hops + 1), to: next)
            } else {
                feed(.subscribeFailed(connection: connection, message: "no leader answered"))
            }
        case (.subscribe(let connection, _, _), .answer(.agentStream(_, let streamID))):
            guard connections[connection] != nil else { return }
            connections[connection]?.streamID = streamID
            feed(.subscribeAnswered(connection: connection, streamID: streamID))
        case (.subscribe(let connection, _, _), .answer(let answer)):
            leaderGuess = (response.master + 1) % engine.config.masters
            feed(.subscribeFailed(connection: connection, message: "\(answer)"))
        case (.post(let uuid?, let key, let state), .answer(.done)):
            if let key, let state { engine.checker.observeAcknowledged(key, state: state) }
            feed(.callAnswered(uuid: uuid, .acknowledged))
        case (.post(let uuid?, _, _), .answer(.failed(let error))):
            let refused = [.request, .forbidden, .notFound].contains(error.code)
            feed(.callAnswered(uuid: uuid, refused ? .refused(error.message) : .failed(error.message)))
        case (.post(let uuid?, _, _), _):
            feed(.callAnswered(uuid: uuid, .failed("the master does not lead")))
        case (.post(nil, _, _), _):
            break
        }
    }

    func timedOut(_ number: UInt64) {
        guard up, let call = pending.removeValue(forKey: number) else { return }
        switch call {
        case .subscribe(let connection, _, _):
            leaderGuess = (leaderGuess + 1) % engine.config.masters
            feed(.subscribeFailed(connection: connection, message: "timed out"))
        case .post(let uuid?, _, _):
            feed(.callAnswered(uuid: uuid, .failed("timed out")))
        case .post(nil, _, _):
            break
        }
    }

    func streamDelivery(_ delivery: StreamDelivery) {
        guard up else { return }
        if case .agent(let event) = delivery.payload {
            if sentRecords.count == Self.keptRecords { sentRecords.removeFirst() }
            sentRecords.append(SentRecord(master: delivery.master, streamID: delivery.streamID, event: event))
        }
        guard
            let (number, _) = connections.first(where: {
                $0.value.master == delivery.master && $0.value.streamID == delivery.streamID
            })
        else { return }
        switch delivery.payload {
        case .agent(let event):
            if event.type == .subscribed { connections[number]?.subscribedTerm = event.term }
            feed(.event(event, connection: number))
            if event.type == .subscribed, engine.desyncPending, engine.phase == .chaos, desync(using: &engine.faultRNG) {
                engine.desyncPending = false
                engine.counters.desyncs += 1
            }
        case .ended:
            connections.removeValue(forKey: number)
            feed(.streamEnded(connection: number, message: "the master closed the stream"))
        case .scheduler:
            break
        }
    }

    /// The desync fault: a middlebox on the agent's link (a proxy that mixes up its upstream
    /// connections, as HTTP response desync does) delivers, on the agent's subscribed
    /// stream, a record that another master's stream carried in an older term. Returns
    /// false when the agent has no such record.
    func desync(using random: inout SimulationRNG) -> Bool {
        guard up,
            // The newest connection (a dictionary's order differs between processes).
            let (_, current) = connections.filter({ $0.value.subscribedTerm != nil }).max(by: { $0.key < $1.key }),
            let streamID = current.streamID, let term = current.subscribedTerm
        else { return false }
        let stale = sentRecords.filter { $0.master != current.master && $0.event.term < term }
        guard let record = stale.randomElement(using: &random) else { return false }
        engine.note(
            "\(name)'s link replays m\(record.master + 1)'s \(record.event.type.rawValue) of term \(record.event.term) on m\(current.master + 1)'s stream of term \(term)"
        )
        let delivery = StreamDelivery(
            client: .agent(index), master: current.master, streamID: streamID, payload: .agent(record.event))
        _ = engine.deliver(delivery, notBefore: engine.now)
        return true
    }

    /// The shell's leader watch: another master says who leads.
    private func scheduleWatch() {
        let interval = UInt64(500_000 * clockRate)
        engine.schedule(
            .agentWatch(agent: index, incarnation: incarnation),
            after: interval,
            key: engine.key(16, index, incarnation)
        )
        let masters = engine.masters
        let current = connections.values.first(where: { $0.streamID != nil })?.master
        let others = masters.indices.filter { $0 != current }
        guard !others.isEmpty else { return }
        watchTurn += 1
        let other = masters[others[watchTurn % others.count]]
        guard other.up, engine.network.isOpen(node, other.index), engine.network.isOpen(other.index, node),
            let raft = other.node, other.raftLeader != 0
        else { return }
        leaderGuess = Int(other.raftLeader) - 1
        feed(.leaderSeen(term: raft.term, leader: other.raftLeader))
    }

    func watch(incarnation: UInt64) {
        guard up, incarnation == self.incarnation else { return }
        scheduleWatch()
    }
}
