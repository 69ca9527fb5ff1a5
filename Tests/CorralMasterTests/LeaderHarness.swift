@testable import CorralMaster
import CorralModel
import Foundation
import Testing

/// A leader's state machine and the registry its commits go to, under a manual clock: the
/// test moves the time, hands the machine calls, and applies what the machine asks to commit
/// (`commit`), as `MasterLeader` and the Raft log would. Nothing runs in the background.
struct LeaderHarness {
    typealias Action = LeaderStateMachine.Action
    typealias Answer = LeaderStateMachine.Answer

    /// The wall clock at `start`, in nanoseconds since 1970; it runs with the manual clock.
    static let wallAtStart: UInt64 = 1_700_000_000 * Fixture.second
    let start = ContinuousClock.now
    var elapsed: Duration = .zero
    var core: LeaderStateMachine
    var driver: RegistryDriver
    /// What the registry decided about the last command `commit` applied.
    var lastOutcome: RegistryOutcome?
    private var lastCall: UInt64 = 0

    /// A machine that follows (call `elect`), with no deliberate breaks and numbered UUIDs.
    init(driver: RegistryDriver = RegistryDriver()) {
        self.driver = driver
        core = LeaderStateMachine(timing: LeaderStateMachine.Timing(SchedulingConfig()), now: start)
        core.breaks = []
        core.masterInfo = MasterInfo(id: "master-1")
        let counter = Counter()
        core.newUUID = {
            counter.value += 1
            return Self.uuid(counter.value)
        }
    }

    /// Leading at term 3, with framework f1's scheduler and agent a1 (4 cpus, 1024 mem)
    /// subscribed through the machine; `partitionAware` makes f1 PARTITION_AWARE.
    static func leading(partitionAware: Bool = false) throws -> LeaderHarness {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        _ = try harness.subscribeFramework(Fixture.frameworkInfo("f1", partitionAware: partitionAware))
        _ = try harness.subscribeAgent(Fixture.agentInfo("a1"))
        return harness
    }

    /// The `n`th UUID the machine makes.
    static func uuid(_ n: Int) -> UUID {
        UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, UInt8(n >> 8), UInt8(n & 0xFF)))
    }

    /// The `n`th ID the machine makes (a lowercased UUID).
    static func id(_ n: Int) -> String { uuid(n).uuidString.lowercased() }

    /// The bytes of the `n`th UUID.
    static func uuidBytes(_ n: Int) -> [UInt8] { withUnsafeBytes(of: uuid(n).uuid) { Array($0) } }

    var now: ContinuousClock.Instant { start + elapsed }

    var context: LeaderContext {
        LeaderContext(
            now: now,
            wall: Self.wallAtStart + UInt64(elapsed.nanoseconds),
            registry: driver.registry,
            clockMoved: nil
        )
    }

    /// The replicated clock now.
    mutating func nanos() -> UInt64 { core.nanos(context) }

    mutating func advance(_ duration: Duration) { elapsed += duration }

    mutating func elect(term: UInt64) -> [Action] {
        core.elect(term: term, allocator: makeAllocator(AllocatorConfiguration()), in: context)
    }

    mutating func step(_ input: LeaderStateMachine.Input) -> [Action] { core.step(input, in: context) }

    /// Hands the machine a call under a fresh call ID.
    mutating func call(_ body: (inout LeaderStateMachine, CallID, LeaderContext) -> [Action])
        -> (CallID, [Action])
    {
        lastCall += 1
        let id = CallID(value: lastCall)
        let context = context
        return (id, body(&core, id, context))
    }

    mutating func scheduler(_ call: SchedulerCall, stream: String?) -> (CallID, [Action]) {
        self.call { $0.schedulerCall(call, streamID: stream, id: $1, in: $2) }
    }

    mutating func agent(_ call: AgentCall, stream: String?) -> (CallID, [Action]) {
        self.call { $0.agentCall(call, streamID: stream, id: $1, in: $2) }
    }

    /// Applies the one command `actions` ask to commit (after `first`, something else the log
    /// decided before it), feeds the machine the registry's changes and resumes it with the
    /// outcome: returns what the changes decided, then what the resumption did.
    mutating func commit(
        _ actions: [Action],
        after first: RegistryCommand? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [Action] {
        let (command, then) = try #require(Self.commit(in: actions), sourceLocation: sourceLocation)
        var decided: [Action] = []
        if let first { decided += applyChanges(first) }
        let (outcome, changes) = driver.apply(command)
        lastOutcome = outcome
        for change in changes { decided += core.registryChanged(change, in: context) }
        return decided + core.resume(then, with: .success(outcome), in: context)
    }

    /// Applies a command the machine did not ask for (another call's, or a timer's) and feeds
    /// the machine its changes.
    mutating func applyChanges(_ command: RegistryCommand) -> [Action] {
        let (_, changes) = driver.apply(command)
        return changes.flatMap { core.registryChanged($0, in: context) }
    }

    /// Resumes the commit `actions` ask for with a failure to commit it.
    mutating func fail(
        _ actions: [Action],
        with error: any Error,
        sourceLocation: SourceLocation = #_sourceLocation
    )
        throws -> [Action]
    {
        let (_, then) = try #require(Self.commit(in: actions), sourceLocation: sourceLocation)
        return core.resume(then, with: .failure(error), in: context)
    }

    /// Subscribes a scheduler through the machine; returns its framework ID and stream.
    mutating func subscribeFramework(
        _ info: FrameworkInfo, suppressed: [String] = [], constraints: OfferConstraints? = nil
    ) throws -> (FrameworkID, String) {
        let subscribe = SchedulerCall.Subscribe(frameworkInfo: info, suppressedRoles: suppressed, offerConstraints: constraints)
        let (_, asked) = call { $0.subscribe(subscribe, id: $1, in: $2) }
        guard case .reply(_, .schedulerStream(let id, let stream))? = try commit(asked).last else {
            throw HarnessError(message: "SUBSCRIBE of \(info.name) did not open a stream")
        }
        return (id, stream)
    }

    /// Subscribes an agent through the machine; returns its ID and stream.
    mutating func subscribeAgent(_ info: AgentInfo, tasks: [AgentCall.TaskReport] = []) throws
        -> (AgentID, String)
    {
        let subscribe = AgentCall.Subscribe(agentInfo: info, tasks: tasks, highestTerm: core.term)
        let (_, asked) = call { $0.subscribeAgent(subscribe, ip: "10.0.0.1", id: $1, in: $2) }
        guard case .reply(_, .agentStream(let id, let stream))? = try commit(asked).last else {
            throw HarnessError(message: "SUBSCRIBE of agent \(info.hostname) did not open a stream")
        }
        return (id, stream)
    }

    /// Runs the leader's housekeeping now (allocation, heartbeats, timeouts).
    mutating func tick() -> [Action] { step(.tick) }

    /// f1's ACCEPT on its stream of `leading()`, refusing what is left for `refuse` seconds.
    mutating func accept(_ offers: [MesosOfferID], _ operations: [Offer.Operation], refuse: Double = 0)
        -> (CallID, [Action])
    {
        let accept = SchedulerCall.accept(
            FrameworkID("f1"),
            offerIDs: offers,
            operations: operations,
            filters: Filters(refuseSeconds: refuse)
        )
        return scheduler(accept, stream: Self.id(1))
    }

    /// A command task of f1 on `agent` with 64 mem.
    static func task(_ id: String, on agent: String = "a1", cpus: Double = 1) -> TaskInfo {
        var task = Fixture.taskInfo(id, on: agent, cpus: cpus, mem: 64)
        task.command = .shell("true")
        return task
    }

    // MARK: - Reading actions

    static func commit(in actions: [Action]) -> (RegistryCommand, LeaderStateMachine.Continuation)? {
        let commits = actions.compactMap { action -> (RegistryCommand, LeaderStateMachine.Continuation)? in
            if case .commit(let command, let then) = action { (command, then) } else { nil }
        }
        return commits.count == 1 ? commits[0] : nil
    }

    static func commands(_ actions: [Action]) -> [RegistryCommand] {
        actions.compactMap { if case .commit(let command, _) = $0 { command } else { nil } }
    }

    /// The actions but the log lines.
    static func effects(_ actions: [Action]) -> [Action] {
        actions.filter { if case .log = $0 { false } else { true } }
    }

    /// The offers `actions` rescind, in order.
    static func rescinded(_ actions: [Action]) -> [MesosOfferID] {
        actions.compactMap { action -> MesosOfferID? in
            guard case .toScheduler(_, let event) = action, event.type == .rescind else { return nil }
            return event.rescind?.offerID
        }
    }

    static func offers(_ actions: [Action], to framework: FrameworkID = FrameworkID("f1")) -> [Offer] {
        actions.flatMap { action -> [Offer] in
            guard case .toScheduler(framework, let event) = action, event.type == .offers else { return [] }
            return event.offers?.offers ?? []
        }
    }

    /// The task updates sent to the framework's scheduler.
    static func updates(_ actions: [Action], to framework: FrameworkID = FrameworkID("f1")) -> [TaskStatus] {
        actions.compactMap { action -> TaskStatus? in
            guard case .toScheduler(framework, let event) = action, event.type == .update else { return nil }
            return event.update?.status
        }
    }

    /// The events sent to agents, as (agent, event).
    static func agentEvents(_ actions: [Action], _ kind: AgentEvent.Kind) -> [(AgentID, AgentEvent)] {
        actions.compactMap { action -> (AgentID, AgentEvent)? in
            guard case .toAgent(let agent, let event) = action, event.type == kind else { return nil }
            return (agent, event)
        }
    }

    static func isCommit(_ action: Action) -> Bool { if case .commit = action { true } else { false } }

    static func isLaunch(_ action: Action) -> Bool {
        if case .toAgent(_, let event) = action { event.type == .launch } else { false }
    }

    private final class Counter { var value = 0 }

    struct HarnessError: Error { var message: String }
}
