@testable import CorralMaster
import CorralModel
import Testing

/// DRAIN_AGENT: the agent is deactivated, its live tasks are killed with their grace period
/// capped by the drain's, again when it comes back; once no task is live it is DRAINED (and
/// gone, with `mark_gone`). REACTIVATE_AGENT ends a drain.
@Suite("Draining agents")
struct LeaderDrainAgentTests {
    typealias H = LeaderHarness
    let a1 = AgentID("a1")
    let f1 = FrameworkID("f1")

    func kills(_ actions: [H.Action]) -> [AgentEvent.Kill] {
        H.agentEvents(actions, .kill).compactMap(\.1.kill)
    }

    /// Leading with t1 launched on a1 and running; its kill policy allows 30 s.
    func running() throws -> LeaderHarness {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        var task = H.task("t1")
        task.killPolicy = KillPolicy(gracePeriod: DurationInfo(nanoseconds: 30_000_000_000))
        let (_, asked) = harness.accept([offer.id], [.launch([task])])
        _ = try harness.commit(asked)
        var status = TaskStatus(taskID: TaskID("t1"), state: .running, source: .executor, uuid: [1])
        status.agentID = a1
        _ = harness.applyChanges(.statusUpdate(frameworkID: f1, status: status, atNanos: 2))
        return harness
    }

    @Test func aDrainKillsTheTasksWithACappedGraceAndEndsDrainedAndGone() throws {
        var harness = try running()
        let drained = harness.applyChanges(
            .drainAgent(id: a1, maxGraceNanos: 1_000_000_000, markGone: true, atNanos: 3)
        )
        #expect(kills(drained).map(\.taskID) == [TaskID("t1")])
        #expect(
            kills(drained).first?.killPolicy?.gracePeriod?.nanoseconds == 1_000_000_000,
            "30 s capped at 1 s"
        )
        #expect(harness.driver.registry.agents[a1]?.drain?.state == .draining)
        #expect(harness.driver.registry.agents[a1]?.deactivated == true)
        harness.advance(.seconds(2))
        #expect(H.offers(harness.tick()).isEmpty, "a draining agent is offered nothing")
        // The agent comes back while draining, still running t1: it is told to kill it again.
        var running = TaskStatus(taskID: TaskID("t1"), state: .running, source: .executor)
        running.agentID = a1
        let report = AgentCall.TaskReport(frameworkID: f1, status: running)
        let (_, back) = harness.call {
            $0.subscribeAgent(
                AgentCall.Subscribe(agentInfo: Fixture.agentInfo("a1"), tasks: [report], highestTerm: 3),
                ip: "10.0.0.1",
                id: $1,
                in: $2
            )
        }
        // (Twice, when it re-subscribes to the leader it was on: once as its record changes,
        // once as its stream opens; the agent's kill is idempotent.)
        let backActions = try harness.commit(back)
        #expect(Set(kills(backActions).map(\.taskID)) == [TaskID("t1")], "\(H.effects(backActions))")
        var killed = TaskStatus(taskID: TaskID("t1"), state: .killed, source: .executor, uuid: [2])
        killed.agentID = a1
        _ = harness.applyChanges(.statusUpdate(frameworkID: f1, status: killed, atNanos: 4))
        let record = try #require(harness.driver.registry.agents[a1])
        #expect(record.drain?.state == .drained)
        guard case .gone = record.state else {
            Issue.record("mark_gone: the drained agent is gone, not \(record.state)")
            return
        }
    }

    @Test func anIdleAgentIsDrainedAtOnceAndReactivationEndsTheDrain() throws {
        var driver = RegistryDriver.standard()
        driver.accept(.drainAgent(id: a1, maxGraceNanos: nil, markGone: false, atNanos: 3))
        #expect(driver.registry.agents[a1]?.drain?.state == .drained)
        #expect(driver.registry.agents[a1]?.isActive == true, "not marked gone")
        driver.accept(.deactivateAgent(id: a1, deactivated: false, atNanos: 4))
        #expect(driver.registry.agents[a1]?.drain == nil && driver.registry.agents[a1]?.deactivated == false)
        let (gone, _) = driver.apply(.markAgentGone(id: a1, atNanos: 5))
        #expect(gone.error == nil)
        let (refused, changes) = driver.apply(
            .drainAgent(id: a1, maxGraceNanos: nil, markGone: false, atNanos: 6)
        )
        #expect(refused.error != nil && changes.isEmpty, "a gone agent cannot be drained")
    }

    @Test func theOperatorCallDecodesWithItsGraceAndMarkGone() throws {
        let json =
            #"{"type":"DRAIN_AGENT","drain_agent":{"agent_id":{"value":"a1"},"max_grace_period":{"nanoseconds":5},"mark_gone":true}}"#
        let call = try MesosJSON.decode(OperatorCall.self, from: Array(json.utf8))
        #expect(
            try call.command(for: .drainAgent)(7)
                == .drainAgent(id: a1, maxGraceNanos: 5, markGone: true, atNanos: 7)
        )
        let view = OperatorViews.agent(
            {
                var record = AgentRecord(info: Fixture.agentInfo("a1"), state: .active, registeredAtNanos: 1)
                record.drain = AgentRecord.Drain(state: .draining, maxGraceNanos: 5, markGone: true)
                return record
            }()
        )
        #expect(view["drain_info"]?["state"] == .string("DRAINING"))
    }
}
