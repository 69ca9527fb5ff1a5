import CorralModel
import CorralScheduler
import Foundation
import Logging

/// One framework of the task workload, on the real scheduler SDK (`SchedulerClient`, which
/// follows leader changes): it launches short shell tasks (`echo ran >> ran; sleep S`) on
/// the offers it gets, kills a seeded share of them while they run, acknowledges every
/// update itself, reconciles tasks it has not heard of for a while, and records all of it in
/// the run's `TaskEventLog`. A scheduler fault drops its client; the heal starts a new one
/// with the same framework ID.
actor TaskScheduler {
    /// What this scheduler knows of one task it launched.
    struct Entry {
        var agent: AgentID
        var seconds: Double
        /// Kill it this long after it is seen running (nil: let it end by itself).
        var killAfter: Double?
        var runningSince: ContinuousClock.Instant?
        var killSent = false
        var ended = false
        /// Nothing but TASK_UNKNOWN was heard of it: the master does not know the task.
        var neverLaunched = false
        /// A state other than TASK_UNKNOWN was heard.
        var heard = false
        var lastHeard: ContinuousClock.Instant
    }

    let index: Int
    private let masters: [String]
    private let shape: Scenario.Tasks
    private let log: TaskEventLog
    private var rng: SplitMix64
    private var client: SchedulerClient?
    private var running: Task<Void, Never>?
    private var generation = 0
    private(set) var frameworkID: FrameworkID?
    private(set) var tasks: [TaskID: Entry] = [:]
    private var next = 0
    private var launching = true
    private var lastReconcile = ContinuousClock.now
    static let taskCpus = 0.1
    static let taskMemory = 16.0

    init(index: Int, masters: [String], shape: Scenario.Tasks, seed: UInt64, log: TaskEventLog) {
        self.index = index
        self.masters = masters
        self.shape = shape
        self.log = log
        rng = SplitMix64(seed: seed ^ (0x5441_534B_0000_0000 + UInt64(index)))
    }

    private func record(_ type: String, _ fill: (inout TaskEvent) -> Void = { _ in }) {
        var event = TaskEvent(type: type, time: 0, scheduler: index)
        fill(&event)
        log.record(event)
    }

    /// Starts a client (with the framework ID once there is one) and handles its events.
    func start() throws {
        var info = FrameworkInfo(
            user: "root", name: "chaos-tasks-\(index)", id: frameworkID, failoverTimeoutSeconds: shape.failoverTimeoutSeconds,
            checkpoint: true)
        info.role = "*"
        if index <= shape.partitionAware { info.capabilities = [FrameworkInfo.Capability(.partitionAware)] }
        var logger = Logger(label: "corral.chaos.scheduler")
        logger.logLevel = .critical
        let client = try SchedulerClient(
            SchedulerConfiguration(
                masters: masters, framework: info, implicitAcknowledgements: false,
                reconnectBackoff: (initial: .milliseconds(50), max: .milliseconds(500)), requestTimeout: .seconds(5),
                connectTimeout: .seconds(1)),
            logger: logger)
        generation += 1
        let current = generation
        self.client = client
        running = Task { await client.run { await self.handle($0, generation: current) } }
    }

    /// The fault: stops the client, so the master sees the framework disconnect.
    func drop() async {
        record("fault")
        generation += 1
        await client?.stop()
        await running?.value
        client = nil
        running = nil
    }

    /// The heal: a new client, subscribing with the framework ID the first one got.
    func heal() throws {
        record("heal") { $0.framework = frameworkID?.value }
        try start()
    }

    /// Stops launching; tasks already launched run on.
    func stopLaunching() { launching = false }

    /// Launched tasks that have not ended (and are not known never to have been launched).
    var unfinished: Int { tasks.values.filter { !$0.ended && !$0.neverLaunched }.count }

    /// Stops the client for good.
    func stop() async {
        generation += 1
        await client?.stop()
        await running?.value
        client = nil
    }

    private func handle(_ event: SchedulerClient.Event, generation current: Int) async {
        guard current == generation, let client else { return }
        switch event {
        case .subscribed(let subscribed, let master):
            frameworkID = subscribed.frameworkID
            record("subscribed") {
                $0.master = master
                $0.framework = subscribed.frameworkID.value
            }
            reconcile(client, all: true)
        case .event(let event):
            for offer in event.offers?.offers ?? [] { use(offer, client) }
            if let status = event.update?.status { update(status, client) }
        case .disconnected(let reason):
            record("disconnected") { $0.error = reason }
        case .refused(let reason):
            record("refused") { $0.error = reason }
        }
    }

    private func use(_ offer: Offer, _ client: SchedulerClient) {
        let offered = Resources(offer.resources)
        let fitting = min(
            Int(((offered.cpus ?? 0) + 1e-9) / Self.taskCpus), Int(((offered.memMegabytes ?? 0) + 1e-9) / Self.taskMemory))
        let count = launching ? max(0, min(fitting, shape.concurrency - unfinished)) : 0
        guard count > 0 else {
            Task { try? await client.decline([offer.id], filters: Filters(refuseSeconds: 0.2)) }
            return
        }
        var launched: [TaskInfo] = []
        for _ in 0..<count {
            let id = TaskID("s\(index)-\(next)")
            next += 1
            let seconds = Self.draw(shape.taskSeconds, &rng)
            let kill = Double.random(in: 0..<1, using: &rng) < shape.killFraction
            let killAfter = kill ? Double.random(in: 0.05...max(0.05, seconds * 0.8), using: &rng) : nil
            var task = TaskInfo(
                name: id.value, taskID: id, agentID: offer.agentID,
                resources: [.scalar("cpus", Scalar(Self.taskCpus)), .scalar("mem", Scalar(Self.taskMemory))],
                command: .shell("echo ran >> ran; sleep \(seconds)"))
            task.name = id.value
            launched.append(task)
            tasks[id] = Entry(agent: offer.agentID, seconds: seconds, killAfter: killAfter, lastHeard: .now)
            record("invoke") {
                $0.f = "launch"
                $0.task = id.value
                $0.agent = offer.agentID.value
            }
        }
        let ids = launched.map(\.taskID)
        Task {
            do {
                try await client.launch(offer, tasks: launched, filters: Filters(refuseSeconds: 0.2))
                for id in ids {
                    self.record("ok") {
                        $0.f = "launch"
                        $0.task = id.value
                    }
                }
            } catch {
                self.acceptFailed(ids, error: "\(error)")
            }
        }
    }

    private func acceptFailed(_ ids: [TaskID], error: String) {
        for id in ids {
            record("fail") {
                $0.f = "launch"
                $0.task = id.value
                $0.error = error
            }
        }
    }

    private func update(_ status: TaskStatus, _ client: SchedulerClient) {
        record("status") {
            $0.task = status.taskID.value
            $0.agent = status.agentID?.value
            $0.state = status.state.rawValue
            $0.source = status.source?.rawValue
            $0.reason = status.reason?.rawValue
            $0.message = status.message
            $0.acknowledged = status.uuid != nil
        }
        if status.uuid != nil, status.agentID != nil { Task { try? await client.acknowledge(status) } }
        guard var entry = tasks[status.taskID] else { return }
        entry.lastHeard = .now
        if status.state == .running && entry.runningSince == nil { entry.runningSince = .now }
        if status.state.isTerminal { entry.ended = true }
        if status.state != .unknown { entry.heard = true }
        entry.neverLaunched = status.state == .unknown && !entry.heard
        tasks[status.taskID] = entry
    }

    /// Kills the tasks whose time has come and reconciles those not heard of for a while;
    /// called every 100 ms.
    func tick() {
        guard let client else { return }
        let now = ContinuousClock.now
        for (id, entry) in tasks where !entry.ended && !entry.killSent {
            guard let after = entry.killAfter, let since = entry.runningSince, now - since >= .milliseconds(Int(after * 1000)) else {
                continue
            }
            tasks[id]?.killSent = true
            record("invoke") {
                $0.f = "kill"
                $0.task = id.value
                $0.agent = entry.agent.value
            }
            Task {
                do {
                    try await client.kill(id, agentID: entry.agent)
                    self.record("ok") {
                        $0.f = "kill"
                        $0.task = id.value
                    }
                } catch {
                    self.killFailed(id, error: "\(error)")
                }
            }
        }
        if now - lastReconcile >= .seconds(1) {
            lastReconcile = now
            reconcile(client, all: false)
        }
    }

    private func killFailed(_ id: TaskID, error: String) {
        tasks[id]?.killSent = false
        record("fail") {
            $0.f = "kill"
            $0.task = id.value
            $0.error = error
        }
    }

    /// Explicit reconciliation of the unfinished tasks (`all`), or of those not heard of in 2 s.
    private func reconcile(_ client: SchedulerClient, all: Bool) {
        let now = ContinuousClock.now
        let asked = tasks.filter { !$0.value.ended && !$0.value.neverLaunched && (all || now - $0.value.lastHeard > .seconds(2)) }
            .map { ($0.key, Optional($0.value.agent)) }
        guard !asked.isEmpty else { return }
        record("reconcile") { $0.count = asked.count }
        Task { try? await client.reconcile(asked) }
    }

    private static func draw(_ window: Scenario.Window, _ rng: inout SplitMix64) -> Double {
        let low = Int((window.low * 1000).rounded()), high = Int((window.high * 1000).rounded())
        return Double(low == high ? low : Int.random(in: low...high, using: &rng)) / 1000
    }
}
