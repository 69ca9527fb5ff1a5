import CorralModel
import CorralScheduler
import CorralSecurity
import Foundation
import Logging

/// The agent's shell: it feeds `AgentStateMachine` the master's events, the task runner's
/// reports and the timer, and carries out the machine's effects in order — a checkpoint
/// write durably before anything after it, then subscriptions, calls, launches and kills,
/// each in a child task of `run()`'s task group. Checkpoint writes go to disk off the actor,
/// and those of steps taken meanwhile are merged into the next transaction (`DurableQueue`).
///
/// A checkpoint write that fails stops the agent (`run()` throws): nothing that depended on
/// it is carried out, and the work dir still holds every update acknowledged or not.
public actor AgentProcess {
    public let config: AgentConfig
    let runner: TaskRunner
    /// Runs custom executors, each in its own container (keyed by framework and executor ID),
    /// under `<work-dir>/executors`.
    let executorRunner: TaskRunner
    let checkpoint: any AgentCheckpointStore
    let link: MasterLink
    let logger: Logger
    /// This agent's metrics, shared with its `AgentHTTP` (which serves `/metrics`).
    public nonisolated let metrics = AgentMetrics()
    /// The sandboxes `/files` serves.
    public nonisolated let files: SandboxFiles
    /// When the agent started (for `/state`).
    let startTime = Date()
    let clock = ContinuousClock()
    var machine: AgentStateMachine
    /// Tasks whose `runner.launch` has not returned yet, and ends that came in for them
    /// meanwhile (a task that exits at once): held until the launch's TASK_RUNNING is stepped,
    /// so that update is never skipped.
    var launchesInFlight: Set<TaskKey> = []
    var endsDuringLaunch: [TaskKey: TaskEnd] = [:]
    /// Effects held until the checkpoint writes before them are durable (group commit).
    var durable = DurableQueue<Queued>()
    /// Child work for `run()`'s task group.
    let jobs: AsyncStream<@Sendable () async -> Void>
    let jobSink: AsyncStream<@Sendable () async -> Void>.Continuation
    /// Open subscriptions by connection number.
    var subscriptions: [UInt64: MasterSubscription] = [:]
    /// The failpoint `agent.stream.desync`'s memory of records (nothing unless it is armed).
    var desync = StreamDesync()
    /// The instant the machine wants its next tick, and the instants timer jobs sleep until.
    var timerDue: ContinuousClock.Instant?
    var timerSleepers: Set<ContinuousClock.Instant> = []
    /// What the runner found after a restart, until the machine asks about each task.
    var recovered: [TaskKey: RecoveredTask] = [:]
    /// Tasks whose health checks run.
    var healthChecked: Set<TaskKey> = []
    /// Executor subscriptions by stream number, and the next number.
    var executorStreams: [UInt64: AsyncStream<[UInt8]>.Continuation] = [:]
    var nextExecutorStream: UInt64 = 1
    /// Executors whose `executorRunner.launch` has not returned yet, and ends that came meanwhile.
    var executorLaunchesInFlight: Set<ExecutorKey> = []
    var executorEndsDuringLaunch: [ExecutorKey: TaskEnd] = [:]
    /// What the executor runner found after a restart, until the machine asks about each executor.
    var recoveredExecutors: [ExecutorKey: RecoveredTask] = [:]
    /// Set when the agent must stop; `run()` throws it.
    var failure: AgentProcessError?
    /// The latest measurement of each live task's persistent volumes (the disk watch), for
    /// GET_CONTAINERS' `disk_statistics`.
    var volumeUsage: [TaskKey: AgentView.VolumeReport] = [:]
    let failures: AsyncStream<AgentProcessError>
    let failureSink: AsyncStream<AgentProcessError>.Continuation

    /// An agent on `config`'s work dir, running tasks with `runner`, keeping its state in
    /// `checkpoint`. `seed` drives jitter and update UUIDs. Custom executors run under
    /// `executorRunner` (give it its own work directory, e.g. `<work-dir>/executors`). With
    /// `tls` (loaded from `config.tls`) the agent reaches the masters over HTTPS.
    public init(
        config: AgentConfig, info: AgentInfo, runner: TaskRunner, executorRunner: TaskRunner,
        checkpoint: any AgentCheckpointStore, seed: UInt64, logger: Logger, tls: TLSIdentity? = nil
    ) {
        self.config = config
        self.runner = runner
        self.executorRunner = executorRunner
        self.checkpoint = checkpoint
        self.logger = logger
        address = config.httpListen
        files = SandboxFiles()
        link = MasterLink(masters: config.masters, timeouts: config.linkTimeouts, seed: seed, tls: tls, credentials: config.credentials)
        var configuration = AgentConfiguration()
        configuration.fencesTerms = !AgentDeliberateBreak.ignoresTerms(ProcessInfo.processInfo.environment)
        machine = AgentStateMachine(info: info, configuration: configuration, random: SplitMix64(seed: seed ^ 0x5eed))
        (jobs, jobSink) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
        (failures, failureSink) = AsyncStream.makeStream(of: AgentProcessError.self)
    }

    /// What the agent knows now (for its HTTP API and tests).
    public var state: AgentStateMachine { machine }

    /// The master the agent is subscribed to, if any.
    public var master: MasterAddress? { subscriptions.values.first?.master }

    /// Where the HTTP API listens (the port the system chose, once known).
    var address: ListenAddress

    /// The HTTP API listens at `address`: the agent registers with its port. Call it before `run()`.
    public func listening(on address: ListenAddress) {
        self.address = address
        machine.info.port = Int32(address.port)
    }

    /// What the HTTP API shows, as of now.
    public func view() -> AgentView {
        let runnerConfiguration = runner.configuration
        let executorConfiguration = executorRunner.configuration
        let machine = machine
        // A task of a custom executor lives in its executor's sandbox, as in Mesos.
        var view = AgentView(
            machine: machine, config: config, startTime: startTime, address: address, master: master,
            sandbox: { task in
                guard let executor = AgentStateMachine.executorKey(of: task) else {
                    return runnerConfiguration.sandbox(for: task.key)
                }
                return executorConfiguration.sandbox(for: Self.containerKey(of: executor))
            })
        view.volumeUsage = volumeUsage
        return view
    }

    /// Serves a task's sandbox under `/files` by its path and Mesos's virtual path.
    func attachSandbox(_ key: TaskKey, executor: ExecutorID) {
        files.attach(
            runner.configuration.sandbox(for: key),
            as: "/frameworks/\(key.frameworkID.value)/executors/\(executor.value)/runs/latest")
    }

    /// Serves every sandbox the work dir holds (after a restart).
    private func attachExistingSandboxes() {
        let root = runner.configuration.sandboxesDirectory
        let manager = FileManager.default
        for framework in (try? manager.contentsOfDirectory(atPath: root)) ?? [] {
            for task in (try? manager.contentsOfDirectory(atPath: "\(root)/\(framework)")) ?? [] {
                attachSandbox(TaskKey(FrameworkID(framework), TaskID(task)), executor: ExecutorID(task))
            }
        }
    }

    /// Recovers, registers and serves until cancelled or until the agent must stop.
    public func run() async throws {
        if !machine.configuration.fencesTerms {
            logger.critical(
                "this agent is DELIBERATELY BROKEN (\(AgentDeliberateBreak.variable)=\(AgentDeliberateBreak.staleTerm)): it acts on a deposed leader's records; for testing the chaos checkers only")
        }
        attachExistingSandboxes()
        let found = await runner.recover()
        recovered = Dictionary(found.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let foundExecutors = await executorRunner.recover()
        recoveredExecutors = Dictionary(
            foundExecutors.map { (Self.executorKey(of: $0.key), $0) }, uniquingKeysWith: { first, _ in first })
        let loaded: AgentCheckpointState
        do { loaded = try checkpoint.load() } catch {
            throw AgentProcessError("cannot read the agent's checkpoint: \(error)")
        }
        step(.started(recovered: loaded))
        await killOrphans(known: Set(loaded.tasks.keys))
        await killOrphanExecutors(known: Set(loaded.executors.keys))
        let events = runner.events
        let executorEvents = executorRunner.events
        let jobs = jobs
        let failures = failures
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await case .ended(let key, let end) in events { await self.taskEnded(key, end) }
            }
            group.addTask {
                for await case .ended(let key, let end) in executorEvents {
                    await self.executorEnded(Self.executorKey(of: key), end)
                }
            }
            group.addTask {
                await withTaskGroup(of: Void.self) { children in
                    for await job in jobs { children.addTask(operation: job) }
                }
            }
            group.addTask {
                for await failure in failures { throw failure }
            }
            if let interval = machine.configuration.leaderWatchInterval {
                group.addTask { await self.watchLeader(every: interval) }
            }
            let diskWatch = config.timing.diskWatchIntervalSeconds
            if diskWatch > 0 {
                group.addTask { await self.watchVolumes(every: .seconds(diskWatch)) }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// While subscribed, asks another master who leads every `interval` and tells the machine
    /// (`AgentInput.leaderSeen`); ends when the task is cancelled.
    private func watchLeader(every interval: Duration) async {
        let link = link
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard case .subscribed = machine.connection, let seen = await link.leaderReport(),
                case .subscribed(let subscription) = machine.connection
            else { continue }
            // A newer term's leader: the next SUBSCRIBE goes there, not to the stream's master
            // again (a paused master takes connections and answers nothing until the subscribe
            // times out). Aimed before the machine leaves the stream, so that no SUBSCRIBE it
            // starts can go out first.
            if seen.term > subscription.term, let address = seen.address {
                logger.info(
                    "another master names a newer leader",
                    metadata: ["term": "\(seen.term)", "leader": "\(seen.leader)", "stream_term": "\(subscription.term)"])
                await link.aim(at: address)
            }
            step(.leaderSeen(term: seen.term, leader: seen.leader))
        }
    }

    /// Every `interval`, measures the persistent volumes of the running tasks; a task whose
    /// volume outgrew its size is killed at once and ends TASK_FAILED with
    /// REASON_CONTAINER_LIMITATION_DISK, as Mesos's disk/du isolator enforces a quota on any
    /// filesystem. Ends when the task is cancelled.
    private func watchVolumes(every interval: Duration) async {
        let workDirectory = runner.configuration.workDirectory
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let live = machine.tasks.values.filter { $0.isLive }.compactMap { task -> (TaskKey, [Resource])? in
                guard let launch = task.launch, launch.executor == nil, !Resources(launch.task.resources).volumes.isEmpty else { return nil }
                return (task.key, launch.task.resources)
            }
            let liveKeys = Set(live.map(\.0))
            volumeUsage = volumeUsage.filter { liveKeys.contains($0.key) }
            for (key, resources) in live {
                let usage = await BlockingWork.run { PersistentVolumes.usage(resources, workDirectory: workDirectory) }
                volumeUsage[key] = AgentView.VolumeReport(at: Date().timeIntervalSince1970, volumes: usage)
                guard let message = usage.compactMap(\.overLimit).first else { continue }
                logger.warning("a task's persistent volume outgrew its size; killing the task", metadata: ["task": "\(key)", "why": "\(message)"])
                try? await runner.kill(key, grace: .zero, diskLimitation: message)
            }
        }
    }

    /// Stops the agent: nothing more is carried out, and `run()` throws `error`.
    func stop(_ error: AgentProcessError) {
        guard failure == nil else { return }
        failure = error
        logger.critical("the agent stops", metadata: ["reason": "\(error)"])
        failureSink.yield(error)
    }

    // MARK: - Inputs

    /// Steps the machine with one input and carries out what it returns.
    func step(_ input: AgentInput) {
        guard failure == nil else { return }
        carryOut(machine.step(input, now: clock.now))
    }

    private func taskEnded(_ key: TaskKey, _ end: TaskEnd) async {
        guard !launchesInFlight.contains(key) else {
            endsDuringLaunch[key] = end
            return
        }
        step(.taskEnded(key, end))
        // The container's record may go once the terminal update is durable.
        releaseWhenDurable(key)
    }

    /// Containers this work dir holds for tasks the checkpoint does not know: a launch that
    /// crashed before its checkpoint could not have started one, so these are strays.
    private func killOrphans(known: Set<TaskKey>) async {
        for (key, found) in recovered where !known.contains(key) {
            recovered[key] = nil
            logger.notice("killing a container the checkpoint does not know", metadata: ["task": "\(key)", "container": "\(found.containerID)"])
            try? await runner.kill(key, grace: .seconds(1))
            try? await runner.release(key)
        }
    }
}

/// Why the agent stopped.
public struct AgentProcessError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
