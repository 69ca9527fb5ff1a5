import CorralModel
import CorralScheduler
import Foundation
import Logging

/// The framework of `corral bench tasks`, on the real scheduler SDK: it launches `total`
/// short tasks as fast as offers allow (or, given a `rate`, as they fall due at that many per
/// second from the first offer: an open loop), at most `concurrency` unfinished at a time,
/// acknowledges every update itself (concurrently, so the event stream never waits for an
/// acknowledgement), and records when each task was accepted, running and ended.
actor BenchTasksFramework {
    /// One task's timeline (instants on the continuous clock) and how it ended.
    struct Timeline: Sendable {
        var accepted: ContinuousClock.Instant
        var running: ContinuousClock.Instant?
        var ended: ContinuousClock.Instant?
        var end: TaskStatus?
    }

    let client: SchedulerClient
    private let total: Int
    private let concurrency: Int
    /// Tasks per second in an open loop; nil launches as fast as offers allow.
    private let rate: Double?
    /// When the first offer arrived: task `n` falls due `n / rate` seconds after it.
    private var firstOffer: ContinuousClock.Instant?
    /// Offers kept (one per agent) while no task is due, used as soon as one is.
    private var held: [AgentID: Offer] = [:]
    private let makeTask: @Sendable (TaskID, AgentID) -> TaskInfo
    private var next = 0
    private var unfinished = 0
    private(set) var timelines: [TaskID: Timeline] = [:]
    private(set) var endedCount = 0
    private(set) var subscriptions = 0
    /// Calls that failed (ACCEPT, DECLINE, ACKNOWLEDGE), for the report.
    private(set) var callErrors: [String] = []
    private let clock = ContinuousClock()
    private let jobs: AsyncStream<@Sendable () async -> Void>
    private let jobSink: AsyncStream<@Sendable () async -> Void>.Continuation

    /// Task IDs are `<prefix>-<n>`.
    private let prefix: String

    init(
        masters: [String], total: Int, concurrency: Int, rate: Double? = nil, prefix: String = "bench", name: String = "corral-bench-tasks",
        makeTask: @escaping @Sendable (TaskID, AgentID) -> TaskInfo
    ) throws {
        self.prefix = prefix
        var info = FrameworkInfo(user: "root", name: name, failoverTimeoutSeconds: 60)
        info.role = "*"
        var logger = Logger(label: "corral.bench.scheduler")
        logger.logLevel = .warning
        client = try SchedulerClient(
            SchedulerConfiguration(
                masters: masters, framework: info, implicitAcknowledgements: false,
                reconnectBackoff: (initial: .milliseconds(100), max: .seconds(1)), requestTimeout: .seconds(10)),
            logger: logger)
        self.total = total
        self.concurrency = concurrency
        self.rate = rate
        self.makeTask = makeTask
        (jobs, jobSink) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
    }

    /// Whether every task reached a terminal state.
    var done: Bool { endedCount == total }
    /// Calls (ACCEPT, DECLINE, ACKNOWLEDGE) sent and not answered yet.
    private(set) var callsInFlight = 0

    /// Runs the client, handles its events and carries out calls until cancelled.
    func run() async {
        let jobs = jobs
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run { await self.handle($0) } }
            if rate != nil {
                group.addTask {
                    while !Task.isCancelled {
                        await self.useHeldOffers()
                        try? await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
            group.addTask {
                await withTaskGroup(of: Void.self) { calls in
                    for await job in jobs { calls.addTask(operation: job) }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Stops the client (and so `run()`).
    func stop() async {
        jobSink.finish()
        await client.stop()
    }

    private func handle(_ event: SchedulerClient.Event) {
        switch event {
        case .subscribed:
            subscriptions += 1
        case .event(let event):
            for offer in event.offers?.offers ?? [] { use(offer) }
            if let status = event.update?.status { record(status) }
        case .disconnected, .refused:
            break
        }
    }

    /// Tasks due now and not launched yet (unbounded without a rate).
    private var due: Int {
        guard let rate else { return Int.max }
        guard let start = firstOffer else { return 0 }
        return max(0, Int(BenchTasksReport.seconds(clock.now - start) * rate) + 1 - next)
    }

    private func useHeldOffers() {
        guard !held.isEmpty, due > 0 else { return }
        let offers = held.values
        held = [:]
        for offer in offers { use(offer) }
    }

    private func use(_ offer: Offer) {
        if firstOffer == nil { firstOffer = clock.now }
        let offered = Resources(offer.resources)
        let sample = Resources(makeTask(TaskID("sample"), offer.agentID).resources)
        let fitting = min(
            Int(((offered.cpus ?? 0) + 1e-9) / max(sample.cpus ?? 0.1, 1e-3)),
            Int(((offered.memMegabytes ?? 0) + 1e-9) / max(sample.memMegabytes ?? 16, 1)))
        let room = min(fitting, concurrency - unfinished, total - next)
        let count = min(room, due)
        let client = client
        if count == 0 && room > 0 {
            // Nothing due yet: keep the offer for when something is (one per agent).
            if let older = held.updateValue(offer, forKey: offer.agentID) {
                job { try? await client.decline([older.id], filters: Filters(refuseSeconds: 0)) }
            }
            return
        }
        guard count > 0 else {
            job { try? await client.decline([offer.id], filters: Filters(refuseSeconds: 0)) }
            return
        }
        let tasks = (next..<next + count).map { makeTask(TaskID("\(prefix)-\($0)"), offer.agentID) }
        next += count
        unfinished += count
        let now = clock.now
        for task in tasks { timelines[task.taskID] = Timeline(accepted: now) }
        job {
            do { try await client.launch(offer, tasks: tasks, filters: Filters(refuseSeconds: 0)) } catch {
                await self.callFailed("ACCEPT of \(tasks.count) tasks: \(error)")
            }
        }
    }

    private func record(_ status: TaskStatus) {
        let now = clock.now
        if status.uuid != nil {
            let client = client
            job {
                do { try await client.acknowledge(status) } catch {
                    await self.callFailed("ACKNOWLEDGE of \(status.taskID) \(status.state.rawValue): \(error)")
                }
            }
        }
        guard var timeline = timelines[status.taskID], timeline.ended == nil else { return }
        if status.state == .running && timeline.running == nil { timeline.running = now }
        if status.state.isTerminal {
            timeline.ended = now
            timeline.end = status
            endedCount += 1
            unfinished -= 1
        }
        timelines[status.taskID] = timeline
    }

    private func callFailed(_ message: String) {
        if callErrors.count < 20 { callErrors.append(message) }
    }

    private func job(_ work: @escaping @Sendable () async -> Void) {
        callsInFlight += 1
        jobSink.yield {
            await work()
            await self.callFinished()
        }
    }

    private func callFinished() { callsInFlight -= 1 }
}

