import CorralModel
import CorralSimulation

/// A scripted framework's scheduler, speaking the Mesos v1 scheduler calls: it subscribes
/// (and fails over with its framework ID), launches short tasks from its offers until
/// `tasksPerFramework` have finished, acknowledges every update, kills a task now and then,
/// and reconciles. It keeps what it launched across fail-overs, as a scheduler with durable
/// state does.
final class ClusterScheduler: ClusterClient {
    /// A task this scheduler launched and what it heard of it.
    struct Track {
        var agent: AgentID
        var state: TaskState?
        var terminal: TaskState?
        /// TASK_UNKNOWN from a reconciliation begun after the heal and after the ACCEPT
        /// that launched it was answered or timed out: it was never launched.
        var unknownAfterHeal = false
        /// When the ACCEPT that launched it was answered or timed out.
        var settledAt: UInt64?
    }

    enum PendingCall {
        case subscribe(hops: Int)
        case accept([TaskID])
        /// A DECLINE: sent again when its answer never comes, since an offer nobody answers
        /// stays outstanding (no offer timeout is configured), held by this framework.
        case decline(SchedulerCall)
        case other
    }

    unowned let engine: ClusterEngine
    let index: Int
    let partitionAware: Bool
    var incarnation: UInt64 = 0
    var frameworkID: FrameworkID?
    var master: Int
    var streamID: String?
    var subscribing = false
    var lastHeard: UInt64 = 0
    var lastReconcile: UInt64 = 0
    var pending: [UInt64: PendingCall] = [:]
    var tasks: [TaskID: Track] = [:]
    var nextTask = 0
    var finished = 0
    /// `finished` when the faults healed.
    var finishedAtHeal = 0
    var rng: SimulationRNG

    init(index: Int, seed: UInt64, partitionAware: Bool, engine: ClusterEngine) {
        self.engine = engine
        self.index = index
        self.partitionAware = partitionAware
        rng = SimulationRNG(seed: seed, stream: "scheduler", index: UInt64(index))
        master = index % engine.config.masters
    }

    var name: String { "f\(index + 1)" }
    var client: Client { .scheduler(index) }

    var inFlight: Int { tasks.values.filter { $0.terminal == nil && !$0.unknownAfterHeal }.count }
    /// The workload after the heal is done: enough tasks finished since, and every task
    /// launched has ended or was never launched.
    var done: Bool {
        guard case .liveness = engine.phase else { return false }
        return finished - finishedAtHeal >= engine.config.tasksPerFramework
            && tasks.values.allSatisfy { $0.terminal != nil || $0.unknownAfterHeal }
    }

    /// How many more tasks to launch now: as many as may be in flight while the faults
    /// last, then what the workload still needs.
    var wanted: Int {
        let room = 8 - inFlight
        guard case .liveness = engine.phase else { return room }
        return min(room, engine.config.tasksPerFramework - (finished - finishedAtHeal) - inFlight)
    }

    func start() {
        subscribe(hops: 0)
        engine.schedule(
            .schedulerTick(framework: index, incarnation: incarnation),
            after: 250_000,
            key: engine.key(20, index)
        )
    }

    // MARK: - Calls

    private func subscribe(hops: Int) {
        subscribing = true
        var capabilities: [FrameworkInfo.Capability] = []
        if partitionAware { capabilities.append(FrameworkInfo.Capability(.partitionAware)) }
        let info = FrameworkInfo(
            user: "sim",
            name: "sim-\(name)",
            id: frameworkID,
            failoverTimeoutSeconds: 3600,
            checkpoint: true,
            capabilities: capabilities
        )
        let number = engine.call(
            from: client,
            to: master,
            .schedulerSubscribe(SchedulerCall.Subscribe(frameworkInfo: info)),
            hops: hops
        )
        pending[number] = .subscribe(hops: hops)
    }

    func call(_ call: SchedulerCall, _ kind: PendingCall = .other) {
        guard let streamID else {
            // Not sent (the stream just dropped): an ACCEPT's tasks were never launched, and
            // count as settled, so a TASK_UNKNOWN for them after the heal ends them.
            if case .accept(let launched) = kind { for task in launched { tasks[task]?.settledAt = engine.now } }
            return
        }
        let number = engine.call(from: client, to: master, .schedulerCall(call, streamID: streamID))
        pending[number] = kind
    }

    func newCall(_ type: SchedulerCall.Kind) -> SchedulerCall {
        SchedulerCall(type: type, frameworkID: frameworkID)
    }

    func answered(_ response: CallResponse) {
        guard let kind = pending.removeValue(forKey: response.number) else { return }
        switch (kind, response.result) {
        case (.subscribe(let hops), .redirect(let leader)):
            master = leader ?? (response.master + 1) % engine.config.masters
            if hops < 3 { subscribe(hops: hops + 1) } else { subscribing = false }
        case (.subscribe, .answer(.schedulerStream(let id, let stream))):
            subscribing = false
            frameworkID = id
            streamID = stream
            master = response.master
            lastHeard = engine.now
            engine.checker.observeFramework(id, scheduler: index)
            engine.note("\(name) subscribed as \(id.value) to m\(master + 1)")
        case (.subscribe, _):
            subscribing = false
            master = (response.master + 1) % engine.config.masters
        case (.accept(let launched), _):
            for task in launched { tasks[task]?.settledAt = engine.now }
        default:
            break
        }
    }

    func timedOut(_ number: UInt64) {
        guard let kind = pending.removeValue(forKey: number) else { return }
        switch kind {
        case .subscribe:
            subscribing = false
            master = (master + 1) % engine.config.masters
        case .accept(let launched):
            for task in launched { tasks[task]?.settledAt = engine.now }
        case .decline(let decline):
            call(decline, .decline(decline))
        case .other:
            break
        }
    }

    /// Drops the subscription (the stream ended, went silent, or a fault made the scheduler
    /// fail over); it subscribes again at its next tick.
    func dropStream(tellMaster: Bool) {
        if tellMaster, let streamID, let frameworkID, engine.network.isOpen(client.node, master) {
            let target = engine.masters[master]
            engine.schedule(
                .streamClosedByClient(
                    master: master,
                    incarnation: target.incarnation,
                    stream: .scheduler(frameworkID),
                    streamID: streamID
                ),
                after: engine.network.latency(),
                key: engine.key(21, index, engine.now)
            )
        }
        streamID = nil
    }

    /// A scheduler fail-over: the process restarts and subscribes again with its framework ID.
    func failOver() {
        engine.note("\(name) fails over")
        engine.counters.schedulerFailovers += 1
        dropStream(tellMaster: true)
        subscribing = false
    }

    // MARK: - Time

    func tick(incarnation: UInt64) {
        engine.schedule(
            .schedulerTick(framework: index, incarnation: incarnation),
            after: 250_000,
            key: engine.key(20, index)
        )
        if streamID == nil {
            if !subscribing { subscribe(hops: 0) }
            return
        }
        if engine.now - lastHeard > 4_000_000 {
            engine.note("\(name) heard nothing for 4 s; subscribing again")
            dropStream(tellMaster: true)
            return
        }
        if engine.phase == .chaos, rng.chance(0.04) { killOne() }
        if engine.now - lastReconcile >= 3_000_000 { reconcile() }
    }

    private func killOne() {
        let live = tasks.filter { $0.value.terminal == nil && $0.value.state == .running }.keys.sorted {
            $0.value < $1.value
        }
        guard let task = live.randomElement(using: &rng) else { return }
        var kill = newCall(.kill)
        kill.kill = SchedulerCall.Kill(taskID: task, agentID: tasks[task]?.agent)
        call(kill)
    }

    /// Explicit reconciliation of every task without a terminal state.
    private func reconcile() {
        lastReconcile = engine.now
        let open = tasks.filter { $0.value.terminal == nil }.keys.sorted { $0.value < $1.value }
        guard !open.isEmpty else { return }
        var reconcile = newCall(.reconcile)
        reconcile.reconcile = SchedulerCall.Reconcile(
            tasks: open.map { SchedulerCall.Reconcile.Task(taskID: $0, agentID: tasks[$0]?.agent) }
        )
        call(reconcile)
    }
}
