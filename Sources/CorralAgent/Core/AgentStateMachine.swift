import CorralModel
import Logging

/// The agent's logic, free of I/O: registration with the leading master, term fencing, the
/// task table, resource accounting, and the checkpointed status-update stream.
///
/// The shell feeds it `AgentInput`s with the current instant and carries out the
/// `AgentEffect`s it returns, in order (a `.persist` durably before whatever follows it).
/// Time only comes in through `now`, randomness (jitter, update UUIDs) only from the
/// generator given at `init`, so a run replays from its inputs and seed.
///
/// What it promises:
/// - An event whose term is older than the highest seen is ignored, so a deposed leader can
///   neither launch nor kill; a newer term is checkpointed before anything it causes.
/// - A task key is launched at most once, whatever the order of LAUNCH, KILL, replays and
///   restarts (acknowledged-terminal keys are remembered, up to `completedLimit`).
/// - A launch runs only if its resources fit in the total minus what live tasks hold.
/// - Every status update is checkpointed before it is first sent and sent again (backoff)
///   until the master acknowledges its UUID; a task's updates go one at a time, in order.
public struct AgentStateMachine: Sendable {
    /// The master connection.
    public enum Connection: Sendable, Hashable {
        /// `started` has not come in yet.
        case stopped
        /// No stream; subscribe again at this instant.
        case disconnected(retryAt: ContinuousClock.Instant)
        /// SUBSCRIBE sent on `connection`; `streamID` once the master answered.
        case subscribing(connection: UInt64, streamID: String?, deadline: ContinuousClock.Instant)
        /// SUBSCRIBED received.
        case subscribed(Subscription)
    }

    /// A live subscription to the leader.
    public struct Subscription: Sendable, Hashable {
        public var connection: UInt64
        public var streamID: String
        /// The newest term seen on this stream.
        public var term: UInt64
        public var heartbeatInterval: Duration
        /// When the master was last heard from (any event).
        public var lastHeard: ContinuousClock.Instant
        /// When to send the next HEARTBEAT call.
        public var nextHeartbeat: ContinuousClock.Instant
    }

    /// What the machine ignored or refused, for metrics and tests.
    public struct Counters: Sendable, Hashable {
        /// Events from a term older than the highest seen.
        public var staleEvents = 0
        /// LAUNCHes of a task the agent already has (or had): ignored.
        public var duplicateLaunches = 0
        /// Launches refused: killed before launch, or resources that do not fit.
        public var refusedLaunches = 0
        /// Acknowledgements of an update no longer pending.
        public var duplicateAcks = 0
        /// Inputs about a connection the machine had already given up.
        public var staleConnectionInputs = 0
    }

    /// The agent's hostname, resources, attributes and (once given) ID.
    public internal(set) var info: AgentInfo
    public let configuration: AgentConfiguration
    /// The highest leader term seen (checkpointed).
    public internal(set) var highestTerm: UInt64 = 0
    public internal(set) var connection: Connection = .stopped
    /// Every task not yet acknowledged-terminal.
    public internal(set) var tasks: [TaskKey: AgentTask] = [:]
    /// The unacknowledged status updates, by sequence.
    public internal(set) var updates: [UInt64: PendingUpdate] = [:]
    /// Keys of tasks that ended with every update acknowledged, with their completion sequence.
    public internal(set) var completed: [TaskKey: UInt64] = [:]
    /// The tasks that completed lately, for the views (in memory only).
    public internal(set) var history: CompletedHistory
    /// The custom executors the agent runs (checkpointed).
    public internal(set) var executors: [ExecutorKey: AgentExecutor] = [:]
    public internal(set) var counters = Counters()

    /// Each task's pending sequences, oldest first; the first is the one in flight.
    var queues: [TaskKey: [UInt64]] = [:]
    /// The sequence of each pending UUID.
    var sequenceByUUID: [[UInt8]: UInt64] = [:]
    /// When to send each task's head update again, and how long the wait after that is.
    var retries: [TaskKey: UpdateRetry] = [:]
    /// When each task with a `max_completion_time` must be killed.
    var completionDeadlines: [TaskKey: ContinuousClock.Instant] = [:]
    /// Running tasks with health checks.
    var health: [TaskKey: HealthState] = [:]
    /// The subscription stream of each subscribed executor.
    var executorStreams: [ExecutorKey: UInt64] = [:]
    /// Executor tasks their executor was given (LAUNCH sent, or reported back on SUBSCRIBE).
    var deliveredTasks: Set<TaskKey> = []
    /// Group tasks waiting for their default executor's container to run.
    var pendingGroupLaunches: [ExecutorKey: [TaskLaunch]] = [:]
    /// When each custom executor not subscribed yet must have subscribed, and whether that is
    /// a first subscription (false: again, after an agent restart).
    var registrationDeadlines: [ExecutorKey: (at: ContinuousClock.Instant, first: Bool)] = [:]
    /// Executors killed for not subscribing in time, with the reason their tasks fail with.
    var unregistered: [ExecutorKey: TaskStatus.Reason] = [:]
    var subscribeBackoff: Backoff
    var nextConnection: UInt64 = 1
    var nextSequence: UInt64 = 1
    var armedTimer: ContinuousClock.Instant?
    var random: any RandomNumberGenerator & Sendable
    /// The effects of the step under way.
    var output: [AgentEffect] = []

    struct UpdateRetry: Sendable, Hashable {
        var due: ContinuousClock.Instant?
        var backoff: Backoff
    }

    /// A machine for an agent with this hostname, total resources and attributes (its ID
    /// comes from the checkpoint or the master). `random` supplies jitter and update UUIDs.
    public init(info: AgentInfo, configuration: AgentConfiguration = AgentConfiguration(), random: some RandomNumberGenerator & Sendable) {
        self.info = info
        self.configuration = configuration
        history = CompletedHistory(limits: configuration.completedHistory)
        self.random = random
        self.subscribeBackoff = Backoff(initial: configuration.subscribeBackoffInitial, maximum: configuration.subscribeBackoffMaximum)
    }

    /// Takes one input at instant `now` and returns what the shell must do, in order.
    public mutating func step(_ input: AgentInput, now: ContinuousClock.Instant) -> [AgentEffect] {
        output = []
        if case .started(let recovered) = input {
            start(recovered, now: now)
        } else if case .stopped = connection {
            log(.warning, "input before the agent started; ignored")
        } else {
            handle(input, now: now)
        }
        armTimer()
        defer { output = [] }
        return output
    }

    private mutating func handle(_ input: AgentInput, now: ContinuousClock.Instant) {
        switch input {
        case .started: break
        case .tick:
            armedTimer = nil
            tick(now: now)
        case .subscribeAnswered(let number, let streamID): subscribeAnswered(number, streamID: streamID)
        case .subscribeFailed(let number, let message): connectionLost(number, "subscribing failed: \(message)", now: now)
        case .streamEnded(let number, let message): connectionLost(number, "the event stream ended: \(message)", now: now)
        case .leaderSeen(let term, let leader): leaderSeen(term: term, leader: leader, now: now)
        case .event(let event, let number): receive(event, on: number, now: now)
        case .callAnswered(let uuid, let outcome): callAnswered(uuid, outcome, now: now)
        case .taskRunning(let key, let containerID, let pid): taskRunning(key, containerID: containerID, pid: pid, now: now)
        case .taskEnded(let key, let end): taskEnded(key, end, source: .executor, now: now)
        case .launchFailed(let key, let end): taskEnded(key, end, source: .agent, now: now)
        case .healthChecked(let key, let healthy, let message): healthChecked(key, healthy: healthy, message: message, now: now)
        case .executorMessage(let message): sendExecutorMessage(message)
        case .executorRunning(let key, let containerID, let pid): executorRunning(key, containerID: containerID, pid: pid)
        case .executorEnded(let key, let end): executorEnded(key, end, now: now)
        case .executorSubscribed(let key, let stream, let subscribe): executorSubscribed(key, stream: stream, subscribe, now: now)
        case .executorDisconnected(let key, let stream): executorDisconnected(key, stream: stream)
        case .executorUpdate(let key, let status): executorUpdate(key, status, now: now)
        }
    }

    // MARK: - Start

    private mutating func start(_ recovered: AgentCheckpointState, now: ContinuousClock.Instant) {
        guard case .stopped = connection else {
            log(.warning, "started twice; the second start is ignored")
            return
        }
        info.id = recovered.agentID ?? info.id
        highestTerm = recovered.highestTerm
        tasks = recovered.tasks
        updates = recovered.updates
        completed = recovered.completed
        executors = recovered.executors
        nextSequence = recovered.highestSequence + 1
        for sequence in updates.keys.sorted() {
            guard let update = updates[sequence] else { continue }
            queues[update.key, default: []].append(sequence)
            sequenceByUUID[update.uuid] = sequence
        }
        log(.info, "agent starting", ["agent": info.id?.value ?? "new", "term": "\(highestTerm)", "tasks": "\(tasks.count)", "pending_updates": "\(updates.count)"])
        for key in tasks.keys.sorted() {
            guard let task = tasks[key], task.isLive else { continue }
            armCompletionDeadline(task, now: now)
            // A task of a custom executor has no container of its own: its executor is recovered.
            guard !Self.runsOnExecutor(task) else { continue }
            output.append(.recover(task))
            if let grace = task.killGrace { output.append(.kill(key, grace: grace)) }
        }
        for key in executors.keys.sorted() {
            guard let executor = executors[key] else { continue }
            if !executor.runsTaskGroups {
                registrationDeadlines[key] = (now + configuration.executorRegistrationTimeout, false)
            }
            output.append(.recoverExecutor(executor))
            if let grace = executor.shutdownGrace { output.append(.killExecutor(key, after: grace)) }
        }
        subscribe(now: now)
    }

    // MARK: - Helpers

    /// A fresh sequence number (for updates and completions).
    mutating func takeSequence() -> UInt64 {
        defer { nextSequence += 1 }
        return nextSequence
    }

    /// A fresh random (version 4) UUID.
    mutating func makeUUID() -> [UInt8] {
        var bytes = withUnsafeBytes(of: random.next()) { Array($0) } + withUnsafeBytes(of: random.next()) { Array($0) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        return bytes
    }

    /// A jittered wait from a backoff.
    mutating func delay(_ backoff: inout Backoff) -> Duration {
        backoff.next(using: &random)
    }

    mutating func log(_ level: Logger.Level, _ message: String, _ metadata: [String: String] = [:]) {
        output.append(.log(level, message, metadata))
    }

    /// Arms the timer for the earliest deadline, when it changed.
    private mutating func armTimer() {
        var deadlines: [ContinuousClock.Instant] = Array(completionDeadlines.values) + registrationDeadlines.values.map(\.at)
        switch connection {
        case .stopped: break
        case .disconnected(let retryAt): deadlines.append(retryAt)
        case .subscribing(_, _, let deadline): deadlines.append(deadline)
        case .subscribed(let subscription):
            deadlines.append(subscription.nextHeartbeat)
            deadlines.append(subscription.lastHeard + silenceLimit(subscription))
            deadlines += retries.values.compactMap(\.due)
        }
        guard let earliest = deadlines.min(), earliest != armedTimer else { return }
        armedTimer = earliest
        output.append(.armTimer(at: earliest))
    }

    private mutating func tick(now: ContinuousClock.Instant) {
        tickConnection(now: now)
        tickUpdates(now: now)
        tickCompletionDeadlines(now: now)
        tickRegistrationDeadlines(now: now)
    }
}
