@testable import CorralMaster
import CorralModel
import Testing

/// The leader's checks of agent calls and its reconciliation of a re-registering agent, as
/// pure decisions: no master, no agent, no clock but a chosen one.
@Suite("LeaderStateMachine agents")
struct LeaderAgentPlanTests {
    let start = ContinuousClock.now
    let agent = AgentID("a1")

    func linked() -> LeaderStateMachine {
        var core = LeaderStateMachine(timing: LeaderStateMachine.Timing(SchedulingConfig()), now: start)
        _ = core.step(.elected(activeAgents: []), now: start)
        _ = core.step(.agentSubscribed(agent, streamID: "s1", ip: nil), now: start)
        return core
    }

    func update(uuid: [UInt8]?) -> AgentCall {
        var call = AgentCall(type: .update, agentID: agent)
        call.update = AgentCall.TaskReport(
            frameworkID: FrameworkID("f1"),
            status: TaskStatus(taskID: TaskID("t1"), state: .running, uuid: uuid)
        )
        return call
    }

    @Test func callsComeOnTheAgentsCurrentStreamOnly() {
        var core = linked()
        let heartbeat = AgentCall(type: .heartbeat, agentID: agent)
        #expect(throws: MasterError.self) { try core.plan(heartbeat, streamID: nil, nanos: 1, now: start) }
        #expect(throws: MasterError.self) { try core.plan(heartbeat, streamID: "old", nanos: 1, now: start) }
        #expect(throws: MasterError.self) {
            try core.plan(AgentCall(type: .heartbeat), streamID: "s1", nanos: 1, now: start)
        }
        let other = AgentCall(type: .heartbeat, agentID: AgentID("a2"))
        #expect(throws: MasterError.self) { try core.plan(other, streamID: "s1", nanos: 1, now: start) }
        // A call on the right stream keeps the agent alive past its timeout from subscribing.
        if case .nothing = try? core.plan(heartbeat, streamID: "s1", nanos: 1, now: start + .seconds(25)) {
        } else {
            Issue.record("a heartbeat plans nothing")
        }
        #expect(!core.step(.tick, now: start + .seconds(31)).contains(.proposeUnreachable(agent)))
        #expect(core.step(.tick, now: start + .seconds(56)).contains(.proposeUnreachable(agent)))
    }

    @Test func anUpdateIsCommittedAsTheAgentsWithItsSource() throws {
        var core = linked()
        #expect(throws: MasterError.self) {
            try core.plan(update(uuid: nil), streamID: "s1", nanos: 7, now: start)
        }
        guard
            case .commit(let command, let what) = try core.plan(
                update(uuid: [1]),
                streamID: "s1",
                nanos: 7,
                now: start
            ),
            case .statusUpdate(let framework, let status, let at) = command
        else {
            Issue.record("an update is committed")
            return
        }
        #expect(what == "the update" && framework == FrameworkID("f1") && at == 7)
        #expect(status.agentID == agent && status.source == .executor && status.uuid == [1])
    }

    @Test func messagesAndExecutorExitsGoToTheScheduler() throws {
        var core = linked()
        var message = AgentCall(type: .message, agentID: agent)
        message.message = AgentCall.FrameworkMessage(
            frameworkID: FrameworkID("f1"),
            executorID: ExecutorID("e"),
            data: [9]
        )
        guard case .forward(let event, let to) = try core.plan(message, streamID: "s1", nanos: 1, now: start)
        else {
            Issue.record("a message is forwarded")
            return
        }
        #expect(to == FrameworkID("f1") && event.type == .message && event.message?.data == [9])
        var exited = AgentCall(type: .exitedExecutor, agentID: agent)
        exited.exitedExecutor = AgentCall.ExitedExecutor(
            frameworkID: FrameworkID("f1"),
            executorID: ExecutorID("e"),
            status: 3
        )
        guard case .forward(let failure, _) = try core.plan(exited, streamID: "s1", nanos: 1, now: start)
        else {
            Issue.record("an executor exit is forwarded")
            return
        }
        #expect(failure.type == .failure && failure.failure?.status == 3 && failure.failure?.agentID == agent)
        #expect(throws: MasterError.self) {
            try core.plan(AgentCall(type: .message, agentID: agent), streamID: "s1", nanos: 1, now: start)
        }
        #expect(throws: MasterError.self) {
            try core.plan(
                AgentCall(type: AgentCall.Kind(rawValue: "SHUTDOWN"), agentID: agent),
                streamID: "s1",
                nanos: 1,
                now: start
            )
        }
    }

    @Test func aDeposedLeaderRefusesAnAgentThatSawANewerTerm() {
        let info = Fixture.agentInfo("a1")
        #expect(throws: Never.self) {
            try LeaderStateMachine.check(AgentCall.Subscribe(agentInfo: info, highestTerm: 3), term: 3)
        }
        let newer = #expect(throws: MasterError.self) {
            try LeaderStateMachine.check(AgentCall.Subscribe(agentInfo: info, highestTerm: 4), term: 3)
        }
        #expect(newer?.code == .notLeader)
        #expect(throws: MasterError.self) {
            try LeaderStateMachine.check(AgentCall.Subscribe(agentInfo: info, version: 2), term: 3)
        }
        var nameless = info
        nameless.hostname = ""
        #expect(throws: MasterError.self) {
            try LeaderStateMachine.check(AgentCall.Subscribe(agentInfo: nameless), term: 3)
        }
    }

    @Test func aReregisteringAgentGetsTheLaunchesItMissedAndKillsForWhatEnded() {
        var driver = RegistryDriver.standard()
        driver.accept(
            Fixture.launch(
                "f1",
                [Fixture.taskInfo("missed"), Fixture.taskInfo("running"), Fixture.taskInfo("ended")]
            )
        )
        driver.accept(Fixture.launch("f2", [Fixture.taskInfo("reported-staging")]))
        driver.accept(Fixture.update("f1", "running", .running, uuid: 1))
        driver.accept(Fixture.update("f1", "ended", .finished, uuid: 2))
        let reported: Set<TaskKey> = [
            Fixture.key("f1", "running"), Fixture.key("f1", "ended"), Fixture.key("f2", "reported-staging"),
            Fixture.key("f1", "never-launched"),
        ]
        let (relaunch, kill) = LeaderStateMachine.reconcile(
            agent: AgentID("a1"),
            reported: reported,
            registry: driver.registry
        )
        #expect(relaunch.map(\.key) == [Fixture.key("f1", "missed")])
        #expect(kill == [Fixture.key("f1", "ended"), Fixture.key("f1", "never-launched")])
        let other = LeaderStateMachine.reconcile(
            agent: AgentID("a2"),
            reported: [],
            registry: driver.registry
        )
        #expect(other.relaunch.isEmpty && other.kill.isEmpty)
    }
}
