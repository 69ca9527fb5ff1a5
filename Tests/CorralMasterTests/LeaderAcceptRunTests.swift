@testable import CorralMaster
import CorralModel
import CorralReplication
import Testing

/// ACCEPT as a run of commits: each LAUNCH is committed before the agent hears of it, and the
/// next operation is checked only once the registry has decided the one before.
@Suite("LeaderStateMachine ACCEPT runs")
struct LeaderAcceptRunTests {
    typealias H = LeaderHarness
    let f1 = FrameworkID("f1")
    let a1 = AgentID("a1")

    /// Leading (f1 PARTITION_AWARE or not) with f1's offer of all of a1 out.
    func offered(partitionAware: Bool = false) throws -> (LeaderHarness, Offer) {
        var harness = try LeaderHarness.leading(partitionAware: partitionAware)
        let offers = H.offers(harness.tick())
        let offer = try #require(offers.first)
        #expect(offers.count == 1 && offer.id == MesosOfferID("3-O1"))
        return (harness, offer)
    }

    func launchEvent(
        _ tasks: [TaskInfo],
        to agent: AgentID,
        executor: ExecutorInfo? = nil,
        in harness: LeaderHarness
    )
        -> H.Action
    {
        var event = AgentEvent(type: .launch, term: 3)
        event.launch = AgentEvent.Launch(
            frameworkID: f1,
            frameworkInfo: harness.driver.registry.frameworks[f1]?.info,
            tasks: tasks,
            executor: executor
        )
        return .toAgent(agent, event)
    }

    func refused(
        _ task: String,
        _ state: TaskState,
        _ reason: TaskStatus.Reason,
        _ message: String,
        agent: String = "a1"
    )
        -> TaskStatus
    {
        TaskStatus(
            taskID: TaskID(task),
            state: state,
            message: message,
            source: .master,
            reason: reason,
            agentID: AgentID(agent)
        )
    }

    func launched(_ command: RegistryCommand) -> [TaskInfo] {
        if case .launch(_, _, _, let tasks, _, _) = command { tasks } else { [] }
    }

    func position(_ actions: [H.Action], _ matches: (H.Action) -> Bool) throws -> Int {
        let found = actions.firstIndex(where: matches)
        return try #require(found)
    }

    @Test func aCommittedLaunchReachesTheAgentOnceAfterItsCommit() throws {
        var (harness, offer) = try offered()
        let t1 = H.task("t1")
        let (call, asked) = harness.accept([offer.id], [.launch([t1])])
        let at = harness.nanos()
        #expect(asked.count == 1)
        #expect(
            H.commands(asked) == [
                .launch(frameworkID: f1, agentID: a1, role: "web", tasks: [t1], executor: nil, atNanos: at)
            ]
        )
        #expect(harness.core.offers.isEmpty, "the offer is taken while the launch is decided")
        let decided = H.effects(try harness.commit(asked))
        #expect(decided == [launchEvent([t1], to: a1, in: harness), .reply(call, .done)])
        #expect(
            harness.core.charges[Fixture.key("f1", "t1")]?.quantities
                == ResourceQuantities(["cpus": 1, "mem": 64])
        )
        // What the launch did not take is offered again (the ACCEPT refused it for 0 s).
        let next = H.offers(harness.tick())
        #expect(next.count == 1 && next.first.flatMap { Resources($0.resources).cpus } == 3)
    }

    @Test func theLaunchBeforeCommitBreakTellsTheAgentFirst() throws {
        var (harness, offer) = try offered()
        harness.core.breaks = [.launchBeforeCommit]
        let t1 = H.task("t1")
        let (call, asked) = harness.accept([offer.id], [.launch([t1])])
        #expect(H.effects(asked).count == 2)
        #expect(H.effects(asked).first == launchEvent([t1], to: a1, in: harness))
        #expect(try position(asked, H.isLaunch) < position(asked, H.isCommit))
        #expect(H.effects(try harness.commit(asked)) == [.reply(call, .done)], "not told twice")
    }

    @Test func theNextLaunchIsCheckedAgainstTheOneCommittedBefore() throws {
        var (harness, offer) = try offered()
        let (call, asked) = harness.accept(
            [offer.id],
            [.launch([H.task("t1")]), .launch([H.task("t1")]), .launch([H.task("t2")])]
        )
        #expect(H.effects(asked).count == 1 && H.updates(asked).isEmpty, "only the first is checked")
        let first = try harness.commit(asked)
        let error = refused("t1", .error, .taskInvalid, "task ID t1 is already in use")
        #expect(H.updates(first) == [error])
        #expect(try position(first, H.isLaunch) < position(first, { !H.updates([$0]).isEmpty }))
        #expect(try position(first, { !H.updates([$0]).isEmpty }) < position(first, H.isCommit))
        #expect(H.commands(first).map(launched) == [[H.task("t2")]])
        #expect(!first.contains(.reply(call, .done)))
        let second = H.effects(try harness.commit(first))
        #expect(second == [launchEvent([H.task("t2")], to: a1, in: harness), .reply(call, .done)])
        #expect(harness.driver.registry.tasks(of: f1).map(\.key.taskID.value) == ["t1", "t2"])
    }

    @Test func aLaunchTheRegistryRefusesIsReportedAndTheNextStillGoes() throws {
        var harness = try LeaderHarness.leading()
        _ = try harness.subscribeAgent(Fixture.agentInfo("a2"))
        let offers = H.offers(harness.tick())
        let onA1 = try #require(offers.first { $0.agentID == a1 })
        let onA2 = try #require(offers.first { $0.agentID == AgentID("a2") })
        // Two ACCEPTs checked before either is committed both take task ID t1.
        let (firstCall, first) = harness.accept([onA1.id], [.launch([H.task("t1")])])
        let (secondCall, second) = harness.accept(
            [onA2.id],
            [.launch([H.task("t1", on: "a2")]), .launch([H.task("t2", on: "a2")])]
        )
        #expect(H.effects(try harness.commit(first)).last == .reply(firstCall, .done))
        let decided = try harness.commit(second)
        #expect(harness.lastOutcome?.reason == "REASON_TASK_INVALID")
        #expect(
            H.updates(decided) == [
                refused("t1", .error, .taskInvalid, "task ID t1 is already in use", agent: "a2")
            ]
        )
        #expect(H.agentEvents(decided, .launch).isEmpty, "a2 never hears of t1")
        let last = H.effects(try harness.commit(decided))
        #expect(
            last == [
                launchEvent([H.task("t2", on: "a2")], to: AgentID("a2"), in: harness),
                .reply(secondCall, .done),
            ]
        )
        #expect(harness.core.charges[Fixture.key("f1", "t1")]?.agent == a1)
    }

    @Test func aLaunchOnAnAgentLostMeanwhileIsDroppedOrLost() throws {
        for partitionAware in [false, true] {
            var (harness, offer) = try offered(partitionAware: partitionAware)
            let (call, asked) = harness.accept([offer.id], [.launch([H.task("t1")])])
            let unreachable = RegistryCommand.agentUnreachable(id: a1, atNanos: harness.nanos())
            let decided = try harness.commit(asked, after: unreachable)
            let state: TaskState = partitionAware ? .dropped : .lost
            #expect(
                H.updates(decided) == [refused("t1", state, .agentUnknown, "agent a1 is not active")],
                "partition aware: \(partitionAware)"
            )
            #expect(H.agentEvents(decided, .launch).isEmpty && decided.last == .reply(call, .done))
            #expect(harness.core.charges.isEmpty)
        }
    }

    @Test func anUnknownOutcomeSaysNothingOfTheTasksAndTheRunGoesOn() throws {
        var (harness, offer) = try offered()
        let (call, asked) = harness.accept([offer.id], [.launch([H.task("t1")]), .launch([H.task("t2")])])
        let unknown = ReplicationError(code: .outcomeUnknown, operation: "propose", message: "lost office")
        let resumed = try harness.fail(asked, with: unknown)
        #expect(H.updates(resumed).isEmpty && H.agentEvents(resumed, .launch).isEmpty)
        let notice = resumed.contains {
            if case .log(let line) = $0 {
                line.level == .notice && line.message.contains("outcome unknown")
            } else {
                false
            }
        }
        #expect(notice)
        #expect(H.commands(resumed).count == 1 && !resumed.contains(.reply(call, .done)))
        let last = H.effects(try harness.commit(resumed))
        #expect(last == [launchEvent([H.task("t2")], to: a1, in: harness), .reply(call, .done)])
    }

    @Test func aLaunchThatWasNotCommittedIsDropped() throws {
        var (harness, offer) = try offered()
        let (call, asked) = harness.accept([offer.id], [.launch([H.task("t1")])])
        let deposed = ReplicationError(code: .notLeader, operation: "propose", message: "deposed")
        let resumed = H.effects(try harness.fail(asked, with: deposed))
        let status = refused("t1", .lost, .masterDisconnected, "the launch was not committed: \(deposed)")
        #expect(resumed == [LeaderStateMachine.statusEvent(status, to: f1), .reply(call, .done)])
        #expect(harness.driver.registry.tasks(of: f1).isEmpty && harness.core.charges.isEmpty)
    }

    @Test func aTaskGroupIsCommittedAndLaunchedWhole() throws {
        var (harness, offer) = try offered()
        var executor = Fixture.executorInfo("group")
        executor.type = .default
        let members = [Fixture.taskInfo("m1", mem: 64), Fixture.taskInfo("m2", mem: 64)]
        let (call, asked) = harness.accept([offer.id], [.launchGroup(executor: executor, tasks: members)])
        let at = harness.nanos()
        #expect(
            H.commands(asked) == [
                .launch(
                    frameworkID: f1,
                    agentID: a1,
                    role: "web",
                    tasks: members,
                    executor: executor,
                    atNanos: at
                )
            ]
        )
        let decided = H.effects(try harness.commit(asked))
        #expect(
            decided == [launchEvent(members, to: a1, executor: executor, in: harness), .reply(call, .done)]
        )
        let next = H.offers(harness.tick())
        #expect(
            next.first.flatMap { Resources($0.resources).cpus } == 1.5,
            "4 - 2 tasks - the executor's 0.5"
        )
    }
}
