import CorralAgent
import CorralMaster
import CorralModel
import CorralRaft
import CorralSimulation

/// The running whole-cluster simulation: virtual time in microseconds, one event queue, the
/// masters, agents and schedulers, the network between them and the checker. Its behaviour
/// is split by concern over `Cluster….swift`.
final class ClusterEngine {
    enum Event {
        case raftTick(master: Int)
        indirect case raftMessage(Message)
        case diskDone(master: Int, incarnation: UInt64, sequence: UInt64)
        case leaderTick(master: Int, incarnation: UInt64)
        case changesHeard(master: Int, incarnation: UInt64)
        indirect case callArrives(CallRequest)
        indirect case callAnswered(CallResponse)
        case callTimedOut(client: Client, number: UInt64)
        indirect case streamDelivery(StreamDelivery)
        case streamClosedByClient(master: Int, incarnation: UInt64, stream: ServerStreamKey, streamID: String)
        case agentTimer(agent: Int, incarnation: UInt64)
        case agentWatch(agent: Int, incarnation: UInt64)
        case containerRunning(agent: Int, key: TaskKey, serial: UInt64)
        case containerExited(agent: Int, key: TaskKey, serial: UInt64)
        case containerKilled(agent: Int, key: TaskKey, serial: UInt64, end: TaskEnd)
        case schedulerTick(framework: Int, incarnation: UInt64)
        case fault
        case restartMaster(Int, incarnation: UInt64)
        case restartAgent(Int, incarnation: UInt64)
        case restoreLink(Int, Int)
        case heal
        case livenessCheck
    }

    enum Phase: Equatable {
        case chaos
        case liveness(healedAt: UInt64)
        case done
    }

    let config: ClusterConfig
    var queue = EventQueue<Event>()
    var now: UInt64 = 0
    var phase = Phase.chaos
    var masters: [ClusterMaster] = []
    var agents: [ClusterAgent] = []
    var schedulers: [ClusterScheduler] = []
    var network: ClusterNetwork
    var faultRNG: SimulationRNG
    /// A desync fault waits for an agent with a record to replay.
    var desyncPending = false
    var workloadRNG: SimulationRNG
    var orderRNG: SimulationRNG
    var checker = ClusterChecker()
    var trace: [String] = []
    var counters = ClusterCounters()
    /// Registry commands decoded, by the (index, term) of their entry: one entry has one
    /// payload on every master (log matching), so each is decoded once.
    var decoded: [EntryID: RegistryCommand] = [:]
    /// Commands leaders proposed and no master has applied yet, by their bytes.
    var proposals: [[UInt8]: RegistryCommand] = [:]
    static let decodeEvery: UInt64 = 8
    var proposalCount: UInt64 = 0
    /// Numbers calls from every client, and container launches.
    var nextCallNumber: UInt64 = 0
    var nextSerial: UInt64 = 0
    /// A real instant the virtual clocks count from (only differences are ever used).
    let epoch = ContinuousClock.now
    /// The wall clock at virtual time 0, in nanoseconds since 1970.
    static let wallEpoch: UInt64 = 1_800_000_000_000_000_000

    /// The Raft tick: 50 ms, with 6 ticks to an election timeout and a heartbeat every tick,
    /// the times of a master's defaults (10 ms ticks, 30 and 5) in fewer steps.
    static let tickMicros: UInt64 = 50_000
    static let leaderTickMicros: UInt64 = 50_000

    init(config: ClusterConfig) {
        self.config = config
        let seed = config.seed
        network = ClusterNetwork(seed: seed, faults: config.faults)
        faultRNG = SimulationRNG(seed: seed, stream: "cluster-faults")
        workloadRNG = SimulationRNG(seed: seed, stream: "cluster-workload")
        orderRNG = SimulationRNG(seed: seed, stream: "cluster-order")
        var setup = SimulationRNG(seed: seed, stream: "cluster-setup")
        let voters = Set((1...config.masters).map { NodeID($0) })
        for index in 0..<config.masters {
            let rate = config.faults ? Double.random(in: 0.97...1.03, using: &setup) : 1
            masters.append(
                ClusterMaster(index: index, voters: voters, seed: seed, clockRate: rate, engine: self)
            )
            queue.push(
                .raftTick(master: index),
                at: UInt64.random(in: 0..<Self.tickMicros, using: &setup),
                key: key(1, index)
            )
        }
        for index in 0..<config.agents {
            let rate = config.faults ? Double.random(in: 0.97...1.03, using: &setup) : 1
            agents.append(ClusterAgent(index: index, seed: seed, clockRate: rate, engine: self))
        }
        for index in 0..<config.frameworks {
            schedulers.append(
                ClusterScheduler(index: index, seed: seed, partitionAware: index % 2 == 1, engine: self)
            )
        }
        for master in masters { master.start() }
        for agent in agents { agent.start() }
        for scheduler in schedulers { scheduler.start() }
        if config.faults { queue.push(.fault, at: 1_000_000, key: key(5, 0)) }
        queue.push(.heal, at: micros(config.chaosSeconds), key: key(7, 0))
    }

    /// A log entry's place: the same on every master that holds it.
    struct EntryID: Hashable {
        var index: UInt64
        var term: UInt64
    }

    /// A tie-breaker for events at the same time, from stable data only.
    func key(_ kind: UInt64, _ a: Int, _ b: UInt64 = 0) -> UInt64 {
        var hash = StableHash()
        hash.combine(kind)
        hash.combine(UInt64(a))
        hash.combine(b)
        return hash.value
    }

    func micros(_ seconds: Double) -> UInt64 { UInt64(seconds * 1_000_000) }

    /// The payload a leader proposes for `command`. One command in `Self.decodeEvery` is
    /// encoded as the masters encode it, and decoded again when applied, and must come back
    /// equal: the codec stays under test. The others travel as a unique tag, and the masters
    /// that apply the entry get the command back from `proposals` (JSON encoding and decoding
    /// were a sixth of the run's time).
    func payload(for command: RegistryCommand) -> [UInt8] {
        proposalCount += 1
        let bytes =
            proposalCount % Self.decodeEvery == 0
            ? command.encoded : [RegistryCommand.tag] + Array("simulated command \(proposalCount)".utf8)
        proposals[bytes] = command
        return bytes
    }

    /// The command in an entry's payload: taken as proposed, or decoded (and compared with
    /// what was proposed) when it was encoded.
    func decode(_ bytes: [UInt8], at entry: Entry) -> RegistryCommand? {
        let key = EntryID(index: entry.index, term: entry.term)
        if let known = decoded[key] { return known }
        var command = proposals.removeValue(forKey: bytes)
        if command == nil || bytes.dropFirst().first == UInt8(ascii: "{") {
            let fresh = try? RegistryCommand(decoding: bytes)
            if let command, fresh != command {
                checker.report(.codec, "entry \(entry.index) decoded to \(String(describing: fresh)), not \(command)")
            }
            command = fresh
        }
        decoded[key] = command
        return command
    }

    func schedule(_ event: Event, after delay: UInt64, key: UInt64) {
        queue.push(event, at: now + delay, key: key)
    }

    func note(_ text: @autoclosure () -> String) {
        guard config.trace else { return }
        trace.append("\(formatTime(now)) \(text())")
    }

    func formatTime(_ micros: UInt64) -> String {
        let millis = micros / 1000
        return "\(millis / 1000).\(String(millis % 1000).leftPadded(to: 3))s"
    }

    // MARK: - The loop

    func run() -> ClusterResult {
        let deadline = micros(config.chaosSeconds + config.livenessSeconds)
        var sameTime = 0
        while phase != .done, checker.violations.isEmpty, let (time, event) = queue.pop() {
            sameTime = time == now ? sameTime + 1 : 0
            now = time
            checker.now = time
            counters.events += 1
            if sameTime > 100_000 {
                checker.report(
                    .workload,
                    "the simulation stalled: 100000 events at one instant, the last \(event)"
                )
                break
            }
            handle(event)
            if now > deadline, phase != .done {
                checker.report(
                    .liveness,
                    "the workload did not finish within \(config.livenessSeconds) s of the heal: \(progress())"
                )
                break
            }
        }
        counters.simulatedMicros = now
        return ClusterResult(
            seed: config.seed,
            masters: config.masters,
            agents: config.agents,
            frameworks: config.frameworks,
            violations: checker.violations,
            counters: counters,
            trace: trace,
            replay: config.replayCommand
        )
    }

    private func handle(_ event: Event) {
        switch event {
        case .raftTick(let index):
            masters[index].raftTick()
            let interval = UInt64(Double(Self.tickMicros) * masters[index].clockRate)
            schedule(.raftTick(master: index), after: interval, key: key(1, index))
        case .raftMessage(let message):
            let index = Int(message.to) - 1
            guard network.isOpen(Int(message.from) - 1, index) else { return }
            masters[index].receive(message)
        case .diskDone(let index, let incarnation, let sequence):
            masters[index].diskDone(incarnation: incarnation, sequence: sequence)
        case .leaderTick(let index, let incarnation):
            masters[index].leaderTick(incarnation: incarnation)
        case .changesHeard(let index, let incarnation):
            masters[index].changesHeard(incarnation: incarnation)
        case .callArrives(let request):
            masters[request.master].arrives(request)
        case .callAnswered(let response):
            client(response.client).answered(response)
        case .callTimedOut(let client, let number):
            self.client(client).timedOut(number)
        case .streamDelivery(let delivery):
            client(delivery.client).streamDelivery(delivery)
        case .streamClosedByClient(let index, let incarnation, let stream, let streamID):
            masters[index].clientClosed(stream, streamID: streamID, incarnation: incarnation)
        case .agentTimer(let index, let incarnation):
            agents[index].timerFired(incarnation: incarnation)
        case .agentWatch(let index, let incarnation):
            agents[index].watch(incarnation: incarnation)
        case .containerRunning(let index, let key, let serial):
            agents[index].containerRunning(key, serial: serial)
        case .containerExited(let index, let key, let serial):
            agents[index].containerExited(key, serial: serial)
        case .containerKilled(let index, let key, let serial, let end):
            agents[index].containerKilled(key, serial: serial, end: end)
        case .schedulerTick(let index, let incarnation):
            schedulers[index].tick(incarnation: incarnation)
        case .fault:
            injectFault()
        case .restartMaster(let index, let incarnation):
            masters[index].restart(incarnation: incarnation)
        case .restartAgent(let index, let incarnation):
            agents[index].restart(incarnation: incarnation)
        case .restoreLink(let a, let b):
            restoreLink(a, b)
        case .heal:
            heal()
        case .livenessCheck:
            livenessCheck()
        }
    }

    func client(_ client: Client) -> any ClusterClient {
        switch client {
        case .agent(let index): agents[index]
        case .scheduler(let index): schedulers[index]
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
