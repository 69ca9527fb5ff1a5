import CorralAgent
import CorralModel
import CorralTestSupport
import Testing

/// Drives an `AgentStateMachine` with a manual clock, carrying out `.persist` effects on an
/// in-memory checkpoint in order, and checking that every UPDATE it posts was checkpointed
/// before it was sent.
struct AgentHarness {
    var machine: AgentStateMachine
    let checkpoint: InMemoryAgentCheckpoint
    let origin: ContinuousClock.Instant
    var now: ContinuousClock.Instant
    var connection: UInt64 = 0

    static let framework = FrameworkID("f1")

    init(
        resources: [Resource] = AgentHarness.defaultResources, configuration: AgentConfiguration = AgentConfiguration(),
        recovered: AgentCheckpointState = .empty, seed: UInt64 = 1
    ) {
        let info = AgentInfo(hostname: "node-1", resources: resources)
        machine = AgentStateMachine(info: info, configuration: configuration, random: SplitMix64(seed: seed))
        checkpoint = InMemoryAgentCheckpoint(recovered)
        origin = ContinuousClock().now
        now = origin
    }

    static let defaultResources: [Resource] = [
        .scalar("cpus", 4), .scalar("mem", 4096), .scalar("disk", 10_000), .ranges("ports", Ranges(31000...31099)),
    ]

    /// Steps the machine and carries out its persists.
    @discardableResult
    mutating func step(_ input: AgentInput) -> [AgentEffect] {
        let effects = machine.step(input, now: now)
        for effect in effects {
            switch effect {
            case .persist(let changes):
                // The in-memory store never fails.
                try? checkpoint.apply(changes)
            case .post(let call, _) where call.type == .update:
                let uuid = call.update?.status.uuid ?? []
                let stored = (try? checkpoint.load())?.updates.values.contains { $0.uuid == uuid } ?? false
                #expect(stored, "an update was sent before it was checkpointed")
            case .subscribe(_, let number):
                connection = number
            default: break
            }
        }
        return effects
    }

    /// Moves the clock and ticks.
    @discardableResult
    mutating func advance(_ duration: Duration) -> [AgentEffect] {
        now += duration
        return step(.tick)
    }

    /// Starts from the checkpoint and subscribes at `term`.
    @discardableResult
    mutating func startAndSubscribe(term: UInt64 = 1, agentID: AgentID = "agent-1", heartbeatSeconds: Double = 5) -> [AgentEffect] {
        let recovered = (try? checkpoint.load()) ?? .empty
        var effects = step(.started(recovered: recovered))
        effects += subscribed(term: term, agentID: agentID, heartbeat: heartbeatSeconds)
        return effects
    }

    /// Answers the pending SUBSCRIBE and delivers SUBSCRIBED.
    @discardableResult
    mutating func subscribed(term: UInt64, agentID: AgentID = "agent-1", heartbeat: Double = 5) -> [AgentEffect] {
        var effects = step(.subscribeAnswered(connection: connection, streamID: "stream-\(connection)"))
        var event = AgentEvent(type: .subscribed, term: term)
        event.subscribed = AgentEvent.Subscribed(agentID: agentID, heartbeatIntervalSeconds: heartbeat)
        effects += step(.event(event, connection: connection))
        return effects
    }

    @discardableResult
    mutating func send(_ event: AgentEvent) -> [AgentEffect] { step(.event(event, connection: connection)) }

    static func task(_ id: String, cpus: Double = 1, mem: Double = 128, ports: ClosedRange<UInt64>? = nil) -> TaskInfo {
        var resources: [Resource] = [.scalar("cpus", Scalar(cpus)), .scalar("mem", Scalar(mem))]
        if let ports { resources.append(.ranges("ports", Ranges(ports))) }
        var info = TaskInfo(name: id, taskID: TaskID(id), agentID: "agent-1", resources: resources)
        info.command = CommandInfo(value: "true")
        return info
    }

    static func launch(_ tasks: [TaskInfo], term: UInt64, framework: FrameworkID = framework, frameworkInfo: FrameworkInfo? = nil) -> AgentEvent {
        var event = AgentEvent(type: .launch, term: term)
        event.launch = AgentEvent.Launch(frameworkID: framework, frameworkInfo: frameworkInfo, tasks: tasks, executor: nil)
        return event
    }

    static func kill(_ id: String, term: UInt64, grace: Duration? = nil, framework: FrameworkID = framework) -> AgentEvent {
        var event = AgentEvent(type: .kill, term: term)
        let policy = grace.map { KillPolicy(gracePeriod: DurationInfo(nanoseconds: Int64($0.components.seconds) * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000)) }
        event.kill = AgentEvent.Kill(frameworkID: framework, taskID: TaskID(id), killPolicy: policy)
        return event
    }

    static func key(_ id: String, framework: FrameworkID = framework) -> TaskKey { TaskKey(framework, TaskID(id)) }
}

// MARK: - Reading effects

extension Array where Element == AgentEffect {
    var launches: [TaskLaunch] { compactMap { if case .launch(let launch) = $0 { launch } else { nil } } }
    var kills: [(TaskKey, Duration)] { compactMap { if case .kill(let key, let grace) = $0 { (key, grace) } else { nil } } }
    var posts: [AgentCall] { compactMap { if case .post(let call, _) = $0 { call } else { nil } } }
    /// The statuses of the UPDATE calls posted.
    var sentUpdates: [TaskStatus] { posts.compactMap { $0.type == .update ? $0.update?.status : nil } }
    var subscribes: [AgentCall] { compactMap { if case .subscribe(let call, _) = $0 { call } else { nil } } }
    var closes: [UInt64] { compactMap { if case .closeStream(let number) = $0 { number } else { nil } } }
    var persisted: [CheckpointChange] { flatMap { effect -> [CheckpointChange] in if case .persist(let changes) = effect { changes } else { [] } } }
    var timers: [ContinuousClock.Instant] { compactMap { if case .armTimer(let at) = $0 { at } else { nil } } }
    var recovers: [AgentTask] { compactMap { if case .recover(let task) = $0 { task } else { nil } } }
    /// The events sent to executors, with their stream.
    var executorEvents: [(stream: UInt64, event: ExecutorEvent)] {
        compactMap { if case .sendExecutor(let stream, let event) = $0 { (stream, event) } else { nil } }
    }
    var executorLaunches: [AgentExecutor] { compactMap { if case .launchExecutor(let executor) = $0 { executor } else { nil } } }
    var executorRecovers: [AgentExecutor] { compactMap { if case .recoverExecutor(let executor) = $0 { executor } else { nil } } }
    var executorKills: [(ExecutorKey, Duration)] { compactMap { if case .killExecutor(let key, let after) = $0 { (key, after) } else { nil } } }
    var executorCloses: [UInt64] { compactMap { if case .closeExecutorStream(let stream) = $0 { stream } else { nil } } }
}
