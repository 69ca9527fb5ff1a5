import CorralAgent
import CorralModel
import CorralTestSupport
import Testing

/// Random interleavings of launches, duplicate launches, kills, shutdowns, term changes
/// (including events from deposed leaders), lost and duplicated answers, crashes part-way
/// through a step's effects, and restarts. Checks: no task is launched twice, live
/// containers never hold more than the agent has, and in the end every task has exactly
/// one terminal status committed, each update committed once per UUID, none left pending.
@Suite struct AgentRandomOrderTests {
    @Test(arguments: Array(UInt64(1)...UInt64(40)))
    func randomOrdersKeepTheInvariants(seed: UInt64) {
        var world = RandomWorld(seed: seed)
        for _ in 0..<400 { world.chaosStep() }
        world.drain()
        world.checkEnd()
        #expect(world.staleLaunchesRun.isEmpty, "seed \(seed): \(world.staleLaunchesRun)")
    }

    /// The mutation test: an agent without the term fence (a deliberately broken agent that
    /// launches on a stale term) starts a deposed leader's launch within a few seeds.
    @Test func anAgentWithoutTheTermFenceIsCaught() {
        var caught: (seed: UInt64, what: [String])?
        for seed in UInt64(1)...UInt64(40) where caught == nil {
            var world = RandomWorld(seed: seed, fencesTerms: false)
            for _ in 0..<400 { world.chaosStep() }
            if !world.staleLaunchesRun.isEmpty { caught = (seed, world.staleLaunchesRun) }
        }
        #expect(caught != nil, "no seed of 40 caught an agent without the term fence")
        if let caught { print("caught with seed \(caught.seed): \(caught.what[0])") }
    }
}

/// The agent under test, a model master and a model runner.
struct RandomWorld {
    var rng: SplitMix64
    var harness: AgentHarness
    let checkpoint: InMemoryAgentCheckpoint
    var term: UInt64 = 1
    /// The connection the model master has answered SUBSCRIBED on.
    var openConnection: UInt64?
    var subscribeWaiting: UInt64?
    /// Updates posted and not answered yet.
    var posted: [[UInt8]] = []
    /// The master's committed updates, by UUID, and each task's committed states in order.
    var committed: [[UInt8]: TaskStatus] = [:]
    var committedStates: [TaskKey: [TaskState]] = [:]
    /// Every UUID the agent checkpointed, with its task.
    var created: [[UInt8]: TaskKey] = [:]
    /// The runner: each launched key's container, across agent restarts.
    var containers: [TaskKey: Container] = [:]
    /// Reports the runner owes the agent (after a recover or a kill).
    var runnerQueue: [AgentInput] = []
    /// What the run exercised, so a run that tested nothing fails.
    var restarts = 0
    var staleEvents = 0
    var duplicateLaunches = 0
    var refusedLaunches = 0
    let catalog: [TaskInfo]
    let total = Resources(AgentHarness.defaultResources)
    /// False: the agent is the deliberately broken one, without the term fence.
    let fencesTerms: Bool
    /// Set while the agent steps an event from a term older than the model master's.
    var steppingStaleEvent = false
    /// Launches the agent started from a deposed leader's term (never, with the fence).
    var staleLaunchesRun: [String] = []

    enum Container { case starting, running, ended }

    init(seed: UInt64, fencesTerms: Bool = true) {
        self.fencesTerms = fencesTerms
        rng = SplitMix64(seed: seed)
        var configuration = AgentConfiguration()
        configuration.fencesTerms = fencesTerms
        var harness = AgentHarness(configuration: configuration, seed: seed &* 7919)
        harness.step(.started(recovered: .empty))
        self.harness = harness
        checkpoint = harness.checkpoint
        catalog = (0..<24).map { index in
            let base = UInt64(31000 + (index % 8) * 12)
            return AgentHarness.task("t\(index)", cpus: Double(1 + index % 3) * 0.5, mem: Double(256 * (1 + index % 4)), ports: base...(base + 4))
        }
    }

    func framework(of index: Int) -> FrameworkID { index % 2 == 0 ? "f1" : "f2" }

    // MARK: - Stepping and effects

    mutating func step(_ input: AgentInput, crashAt cut: Int? = nil) {
        let effects = harness.machine.step(input, now: harness.now)
        for (index, effect) in effects.enumerated() {
            if let cut, index >= cut { return restart() }
            carryOut(effect)
        }
    }

    mutating func carryOut(_ effect: AgentEffect) {
        switch effect {
        case .persist(let changes):
            for case .putUpdate(let update) in changes {
                #expect(created[update.uuid] == nil, "a UUID was used twice")
                created[update.uuid] = update.key
            }
            try? checkpoint.apply(changes)
        case .subscribe(_, let number):
            subscribeWaiting = number
            openConnection = nil
            harness.connection = number
        case .post(let call, _):
            guard call.type == .update, let uuid = call.update?.status.uuid else { return }
            #expect((try? checkpoint.load())?.updates.values.contains { $0.uuid == uuid } == true, "sent before checkpointed")
            posted.append(uuid)
        case .closeStream(let number):
            if openConnection == number { openConnection = nil }
        case .launch(let launch):
            if steppingStaleEvent { staleLaunchesRun.append("\(launch.key) launched from a term older than \(term)") }
            #expect(containers[launch.key] == nil, "task \(launch.key) launched twice")
            let held = containers.filter { $0.value != .ended }.keys.compactMap { key in catalogTask(key) }
            let needed = Resources(held.flatMap(\.resources) + launch.task.resources)
            #expect(total.contains(needed), "over-committed: \(needed) on \(total)")
            let heldPorts = Resources(held.flatMap(\.resources)).ports ?? Ranges()
            let newPorts = Resources(launch.task.resources).ports ?? Ranges()
            #expect((heldPorts + newPorts).count == heldPorts.count + newPorts.count, "a port was given twice")
            containers[launch.key] = .starting
        case .recover(let task):
            switch containers[task.key] {
            case .running?: runnerQueue.append(.taskRunning(task.key, containerID: ContainerID(task.key.description), pid: 1))
            case .starting?, nil:
                containers[task.key] = .ended
                runnerQueue.append(.launchFailed(task.key, TaskEnd(state: .lost, reason: .agentRestarted, message: "never started")))
            case .ended?:
                runnerQueue.append(.taskEnded(task.key, TaskEnd(state: .finished, reason: nil, message: "ended while the agent was down")))
            }
        case .kill(let key, _):
            guard let container = containers[key], container != .ended else { return }
            containers[key] = .ended
            runnerQueue.append(.taskEnded(key, TaskEnd(state: .killed, reason: nil, message: "killed")))
        case .armTimer, .log, .startHealthChecks, .stopHealthChecks, .keepVolumes: break
        case .launchExecutor, .recoverExecutor, .sendExecutor, .closeExecutorStream, .killExecutor: break
        }
    }

    func catalogTask(_ key: TaskKey) -> TaskInfo? { catalog.first { $0.taskID == key.taskID } }

    mutating func restart() {
        restarts += 1
        tally()
        let recovered = (try? checkpoint.load()) ?? .empty
        var configuration = AgentConfiguration()
        configuration.reportsStarting = rng.next() % 2 == 0
        configuration.fencesTerms = fencesTerms
        harness.machine = AgentStateMachine(info: harness.machine.info, configuration: configuration, random: SplitMix64(seed: rng.next()))
        openConnection = nil
        subscribeWaiting = nil
        posted = []
        runnerQueue = []
        step(.started(recovered: recovered))
    }

    mutating func send(_ event: AgentEvent) {
        guard let number = openConnection else { return }
        steppingStaleEvent = event.term < term
        defer { steppingStaleEvent = false }
        step(.event(event, connection: number), crashAt: rng.next() % 25 == 0 ? Int(rng.next() % 4) : nil)
    }

    mutating func answerSubscribe() {
        guard let number = subscribeWaiting else { return }
        subscribeWaiting = nil
        step(.subscribeAnswered(connection: number, streamID: "s\(number)"))
        openConnection = number
        var event = AgentEvent(type: .subscribed, term: term)
        event.subscribed = AgentEvent.Subscribed(agentID: "agent-1", heartbeatIntervalSeconds: 5)
        step(.event(event, connection: number))
    }

    /// The model master commits an update (once per UUID) and answers 202.
    mutating func acknowledge(_ uuid: [UInt8]) {
        if committed[uuid] == nil, let update = (try? checkpoint.load())?.updates.values.first(where: { $0.uuid == uuid }) {
            committed[uuid] = update.status
            let states = committedStates[update.key, default: []]
            #expect(!(states.last?.isTerminal ?? false), "an update of \(update.key) committed after its terminal one")
            committedStates[update.key] = states + [update.status.state]
        }
        step(.callAnswered(uuid: uuid, .acknowledged))
    }

    // MARK: - Chaos

    mutating func chaosStep() {
        let index = Int(rng.next() % UInt64(catalog.count))
        var task = catalog[index]
        if rng.next() % 4 == 0 { task.maxCompletionTime = .seconds(Int64(1 + rng.next() % 20)) }
        switch rng.next() % 100 {
        case 0..<22: send(AgentHarness.launch([task], term: term, framework: framework(of: index)))
        case 22..<30: send(AgentHarness.kill(task.taskID.value, term: term, framework: framework(of: index)))
        case 30..<34 where term > 1:
            send(AgentHarness.launch([task], term: term - 1, framework: framework(of: index)))
        case 34..<37:
            term += 1
            if let number = openConnection ?? subscribeWaiting { step(.streamEnded(connection: number, message: "new leader")) }
            openConnection = nil
            posted = []
        case 37..<45: answerSubscribe()
        case 45..<62: runnerProgress()
        case 62..<80: answerPosts()
        case 80..<92: advance()
        case 92..<95: restart()
        case 95..<96:
            var event = AgentEvent(type: .shutdownFramework, term: term)
            event.shutdownFramework = AgentEvent.ShutdownFramework(frameworkID: framework(of: index))
            send(event)
        default:
            if !runnerQueue.isEmpty { step(runnerQueue.removeFirst()) }
        }
    }

    mutating func runnerProgress() {
        if !runnerQueue.isEmpty, rng.next() % 2 == 0 { return step(runnerQueue.removeFirst()) }
        let live = containers.filter { $0.value != .ended }.keys.sorted()
        guard !live.isEmpty else { return }
        let key = live[Int(rng.next() % UInt64(live.count))]
        if containers[key] == .starting {
            containers[key] = .running
            step(.taskRunning(key, containerID: ContainerID(key.description), pid: 1), crashAt: rng.next() % 20 == 0 ? 1 : nil)
        } else {
            containers[key] = .ended
            step(.taskEnded(key, TaskEnd(state: .finished, reason: nil, message: "exit 0")))
        }
    }

    mutating func answerPosts() {
        guard !posted.isEmpty else { return }
        let uuid = posted.remove(at: Int(rng.next() % UInt64(posted.count)))
        switch rng.next() % 5 {
        case 0: step(.callAnswered(uuid: uuid, .failed("timeout")))
        case 1:
            acknowledge(uuid)
            acknowledge(uuid)
        default: acknowledge(uuid)
        }
    }

    mutating func advance() {
        harness.now += .milliseconds(Int64(rng.next() % 3000))
        step(.tick)
    }

    // MARK: - The end

    /// No more chaos: the runner finishes everything, the master answers everything.
    mutating func drain() {
        for _ in 0..<2000 {
            if subscribeWaiting != nil { answerSubscribe() }
            while !runnerQueue.isEmpty { step(runnerQueue.removeFirst()) }
            for key in containers.filter({ $0.value != .ended }).keys.sorted() {
                containers[key] = .ended
                step(.taskEnded(key, TaskEnd(state: .finished, reason: nil, message: "exit 0")))
            }
            while !posted.isEmpty { acknowledge(posted.removeFirst()) }
            if harness.machine.updates.isEmpty && runnerQueue.isEmpty { return }
            harness.now += .milliseconds(500)
            step(.tick)
        }
    }

    mutating func tally() {
        staleEvents += harness.machine.counters.staleEvents
        duplicateLaunches += harness.machine.counters.duplicateLaunches
        refusedLaunches += harness.machine.counters.refusedLaunches
    }

    mutating func checkEnd() {
        tally()
        #expect(containers.count >= 3 && restarts >= 1 && duplicateLaunches + refusedLaunches + staleEvents >= 1, "the run exercised too little")
        let state = (try? checkpoint.load()) ?? .empty
        #expect(harness.machine.updates.isEmpty, "updates left pending: \(harness.machine.updates.count)")
        #expect(state.updates.isEmpty)
        #expect(state.tasks.values.allSatisfy { !$0.isLive })
        #expect(harness.machine.tasks.isEmpty, "tasks not completed: \(harness.machine.tasks.keys.sorted())")
        #expect(Set(created.keys) == Set(committed.keys), "every update was committed")
        let touched = Set(created.values)
        for key in touched {
            let terminal = committedStates[key, default: []].filter(\.isTerminal)
            #expect(terminal.count == 1, "\(key) has terminal states \(terminal)")
        }
        #expect(!containers.isEmpty)
    }
}
