import CorralRaft

/// The running simulation: virtual time, the event queue, the nodes, the network and the
/// checkers. `Simulation.run()` creates one per run; its behaviour is split by concern over
/// `SimulationEngine+….swift`.
final class SimulationEngine {
    enum Event {
        case tick(node: Int)
        case deliver(Message)
        case writeDone(node: Int, incarnation: UInt64, sequence: UInt64)
        case restart(node: Int, incarnation: UInt64)
        case client
        case fault
        case churn
        case heal
        case livenessCheck
        /// Node `reporter` finds node `about` (crashed in `incarnation`) refusing connections;
        /// it tries again `retries` more times while `about` stays down.
        case refused(reporter: Int, about: Int, incarnation: UInt64, retries: Int)
        /// Node `reporter` is told, falsely, that the live node `about` refuses connections.
        case falseRefusal(reporter: Int, about: Int)
        /// A paused process runs again.
        case resume(node: Int, incarnation: UInt64)
        /// The restore of the state machine at start finishes.
        case restoreDone(node: Int, incarnation: UInt64)
        /// A crash that hits while the state machine is being restored at start.
        case crashDuringRestore(node: Int, incarnation: UInt64)
    }

    enum Phase: Equatable {
        case chaos
        case liveness(healedAt: UInt64)
        case done
    }

    let config: SimulationConfig
    var queue = EventQueue<Event>()
    var now: UInt64 = 0
    var phase = Phase.chaos
    var shells: [NodeShell] = []
    var network: SimulatedNetwork
    var faultRNG: SimulationRNG
    var workloadRNG: SimulationRNG
    var churnRNG: SimulationRNG
    /// When survivors notice a crashed peer's refused connections (its own stream, so the
    /// other streams stay as they were).
    var refusalRNG: SimulationRNG
    /// Which crashes are power losses (their own stream).
    var powerRNG: SimulationRNG
    /// Pauses, clock jumps and false refusals (their own stream).
    var processRNG: SimulationRNG
    /// Tie-breakers for false refusals.
    var refusalSerial: UInt64 = 0
    /// Whether a voter has been wiped or had its log damaged in this run (at most one is).
    var damagedMember = false
    var checker = InvariantChecker()
    var trace: SimulationTrace
    var counters = SimulationCounters()
    var workload = WorkloadState()
    var faultState = FaultState()
    var churn = ChurnState.idle(nextAt: 0)
    var writeFailureProbability: Double

    init(config: SimulationConfig) {
        self.config = config
        let seed = config.seed
        network = SimulatedNetwork(nodeCount: config.nodes, seed: seed, faults: config.faults)
        faultRNG = SimulationRNG(seed: seed, stream: "faults")
        workloadRNG = SimulationRNG(seed: seed, stream: "workload")
        churnRNG = SimulationRNG(seed: seed, stream: "churn")
        refusalRNG = SimulationRNG(seed: seed, stream: "refusals")
        powerRNG = SimulationRNG(seed: seed, stream: "power")
        processRNG = SimulationRNG(seed: seed, stream: "process")
        trace = SimulationTrace(recordsLines: config.trace)
        writeFailureProbability = config.faults.storageFaults ? 0.002 : 0
        var setupRNG = SimulationRNG(seed: seed, stream: "setup")
        let bootstrap = Self.bootstrapState(config)
        for index in 0..<config.nodes {
            let id = NodeID(index + 1)
            shells.append(
                NodeShell(
                    id: id,
                    config: config.raftConfig(for: id),
                    state: bootstrap,
                    seed: seed,
                    snapshotInterval: UInt64.random(in: 8...24, using: &setupRNG),
                    trailingEntries: UInt64.random(in: 3...15, using: &setupRNG),
                    outcomeWaitTicks: config.outcomeWaitTicks
                )
            )
            shells[index].sendsBeforeDurable = config.brokenShellRules.contains(.sendBeforeDurable)
            if config.faults.clockSkew { shells[index].clockRate = Double.random(in: 0.7...1.3, using: &setupRNG) }
            let phase = UInt64.random(in: 0..<config.tickMicros, using: &setupRNG)
            queue.push(.tick(node: index), at: phase, key: eventKey(1, UInt64(index)))
        }
        queue.push(.client, at: 50_000, key: eventKey(4, 0))
        queue.push(.fault, at: 100_000, key: eventKey(5, 0))
        if config.faults.membershipChurn {
            churn = .idle(nextAt: 500_000)
            queue.push(.churn, at: 200_000, key: eventKey(6, 0))
        }
        queue.push(.heal, at: UInt64(config.durationTicks) * config.tickMicros, key: eventKey(7, 0))
    }

    /// A tie-breaker for events scheduled at the same time, from stable data only.
    func eventKey(_ kind: UInt64, _ a: UInt64, _ b: UInt64 = 0) -> UInt64 {
        var hash = StableHash()
        hash.combine(kind)
        hash.combine(a)
        hash.combine(b)
        return hash.value
    }

    // MARK: - The loop

    func run() -> SimulationResult {
        let deadline = UInt64(config.durationTicks + config.livenessTicks + 100) * config.tickMicros
        while phase != .done, checker.violations.isEmpty, let (time, event) = queue.pop() {
            now = time
            counters.steps += 1
            checker.advance(step: counters.steps, timeMicros: now)
            handle(event)
            if now > deadline {
                checker.report(.liveness, "run passed its deadline of \(formatMicros(deadline))")
            }
        }
        if checker.violations.isEmpty, config.faults.hasOnlyFalseRefusals {
            checker.checkNeedlessElections(bound: config.needlessElectionBound)
        }
        counters.needlessElections = checker.needlessElections
        counters.simulatedMicros = now
        counters.commits = checker.maxCommittedIndex
        counters.acknowledged = checker.acknowledgedCount
        return SimulationResult(
            seed: config.seed,
            nodes: config.nodes,
            learners: config.learners,
            faults: config.faults,
            violations: checker.violations,
            counters: counters,
            traceHash: trace.digest,
            trace: trace.lines
        )
    }

    private func handle(_ event: Event) {
        switch event {
        case .tick(let index):
            if shells[index].skippedTicks > 0 {
                shells[index].skippedTicks -= 1
            } else if shells[index].node != nil {
                feed(index, .tick)
            }
            queue.push(.tick(node: index), at: now + tickInterval(index), key: eventKey(1, UInt64(index)))
        case .deliver(let message):
            deliver(message)
        case .writeDone(let index, let incarnation, let sequence):
            if shells[index].isPaused, shells[index].incarnation == incarnation {
                shells[index].deferred.append(.writeDone(incarnation: incarnation, sequence: sequence))
            } else {
                writeDone(index, incarnation: incarnation, sequence: sequence)
            }
        case .restart(let index, let incarnation):
            if shells[index].status == .down, shells[index].incarnation == incarnation { restart(index) }
        case .client:
            clientStep()
        case .fault:
            faultStep()
        case .churn:
            churnStep()
        case .heal:
            heal()
        case .livenessCheck:
            livenessCheck()
        case .refused(let reporter, let about, let incarnation, let retries):
            refused(reporter: reporter, about: about, incarnation: incarnation, retries: retries)
        case .falseRefusal(let reporter, let about):
            guard shells[reporter].node != nil else { return }
            trace.record(time: now, node: shells[reporter].id, code: 37, text: "told (falsely) that n\(about + 1) refuses connections")
            feed(reporter, .peerUnreachable(NodeID(about + 1)))
        case .resume(let index, let incarnation):
            resume(index, incarnation: incarnation)
        case .restoreDone(let index, let incarnation):
            restoreDone(index, incarnation: incarnation)
        case .crashDuringRestore(let index, let incarnation):
            guard shells[index].status == .restoring, shells[index].incarnation == incarnation else { return }
            trace.record(time: now, node: shells[index].id, code: 38, text: "crash during the restore at start")
            crash(index, downMicros: UInt64.random(in: 20_000...200_000, using: &faultRNG))
        }
    }

    /// The virtual time until node `index` ticks again.
    private func tickInterval(_ index: Int) -> UInt64 {
        let shell = shells[index]
        guard config.faults.clockSkew else { return config.tickMicros }
        let jitter = Double.random(in: 0.95...1.05, using: &shell.clockRNG)
        return UInt64(Double(config.tickMicros) * shell.clockRate * jitter)
    }

    // MARK: - Delivering messages

    func transmit(_ message: Message) {
        counters.messagesSent += 1
        for delivery in network.send(message, now: now) {
            queue.push(.deliver(delivery.message), at: delivery.time, key: delivery.key)
        }
    }

    func schedule(_ deliveries: [SimulatedNetwork.Delivery]) {
        for delivery in deliveries {
            queue.push(.deliver(delivery.message), at: delivery.time, key: delivery.key)
        }
    }

    private func deliver(_ message: Message) {
        let index = Int(message.to) - 1
        guard shells.indices.contains(index), shells[index].node != nil,
            network.isOpen(from: message.from, to: message.to)
        else { return }
        counters.messagesDelivered += 1
        trace.record(
            time: now, node: message.to, code: 10, message.from, message.term, bodyCode(message.body),
            text: "<- n\(message.from) t\(message.term) \(describe(message.body))"
        )
        feed(index, .message(message))
    }
}
