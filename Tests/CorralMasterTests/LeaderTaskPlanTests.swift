@testable import CorralMaster
import CorralModel
import Testing

/// KILL and RECONCILE answered from the registry, without a master (both rules were found by
/// corral-chaos; `ReconcileLostTaskTests` and `KillEndedTaskTests` keep them end to end).
@Suite("LeaderStateMachine kills and reconciliation")
struct LeaderTaskPlanTests {
    let start = ContinuousClock.now
    let f1 = FrameworkID("f1")
    let f2 = FrameworkID("f2")
    let a1 = AgentID("a1")

    /// f1 has "staging", "running", "ended" (finished, not acknowledged) and "done" (finished
    /// and acknowledged: completed) on a1; f2 (partition-aware) has "aware", running.
    func registry() -> RegistryDriver {
        var driver = RegistryDriver.standard()
        driver.accept(
            Fixture.launch(
                "f1",
                ["staging", "running", "ended", "done"].map { Fixture.taskInfo($0, cpus: 0.5) }
            )
        )
        driver.accept(Fixture.launch("f2", [Fixture.taskInfo("aware", cpus: 0.5)]))
        driver.accept(Fixture.update("f1", "running", .running, uuid: 1))
        driver.accept(Fixture.update("f2", "aware", .running, uuid: 2))
        driver.accept(Fixture.update("f1", "ended", .finished, uuid: 3))
        driver.accept(Fixture.update("f1", "done", .finished, uuid: 4))
        driver.accept(Fixture.ack("f1", "done", uuid: [0xAB, 4]))
        return driver
    }

    func leader(agentConnected: Bool) -> LeaderStateMachine {
        var core = LeaderStateMachine(timing: LeaderStateMachine.Timing(SchedulingConfig()), now: start)
        _ = core.step(.elected(activeAgents: [a1]), now: start)
        if agentConnected { _ = core.step(.agentSubscribed(a1, streamID: "a", ip: nil), now: start) }
        return core
    }

    @Test func aKillReachesTheAgentOrEndsWhatNeverStarted() {
        let registry = registry().registry
        let connected = leader(agentConnected: true)
        #expect(
            connected.killPlan(Fixture.key("f1", "running"), registry: registry, uuid: [1]) == .tellAgent(a1)
        )
        #expect(
            connected.killPlan(Fixture.key("f1", "staging"), registry: registry, uuid: [1]) == .tellAgent(a1)
        )
        let away = leader(agentConnected: false)
        #expect(away.killPlan(Fixture.key("f1", "running"), registry: registry, uuid: [1]) == .wait)
        guard
            case .endBeforeLaunch(let status) = away.killPlan(
                Fixture.key("f1", "staging"),
                registry: registry,
                uuid: [7]
            )
        else {
            Issue.record("a launch its agent never heard of ends at the master")
            return
        }
        #expect(status.state == .killed && status.reason == .taskKilledDuringLaunch && status.uuid == [7])
        #expect(status.source == .master && status.agentID == a1)
    }

    @Test func killingAnEndedTaskRepeatsItsEndAndAnUnknownOneIsLost() {
        let registry = registry().registry
        let core = leader(agentConnected: true)
        for name in ["ended", "done"] {
            guard
                case .answer(let status) = core.killPlan(
                    Fixture.key("f1", name),
                    registry: registry,
                    uuid: [1]
                )
            else {
                Issue.record("\(name): answered from the registry")
                continue
            }
            #expect(
                status.state == .finished && status.uuid == nil && status.reason == .reconciliation,
                "\(name)"
            )
        }
        guard
            case .answer(let unknown) = core.killPlan(
                Fixture.key("f1", "nobody"),
                registry: registry,
                uuid: [1]
            )
        else {
            Issue.record("an unknown task is answered")
            return
        }
        #expect(unknown.state == .lost && unknown.reason == .reconciliation)
    }

    @Test func reconciliationAnswersFromTheRegistryWithoutUUIDs() {
        let registry = registry().registry
        let all = LeaderStateMachine.reconcile([], for: f1, registry: registry)
        #expect(
            Set(all.map(\.taskID.value)) == ["staging", "running", "ended"],
            "the live set; done completed"
        )
        #expect(all.allSatisfy { $0.uuid == nil && $0.reason == .reconciliation && $0.source == .master })
        let asked = LeaderStateMachine.reconcile(
            ["running", "done", "nobody"].map { SchedulerCall.Reconcile.Task(taskID: TaskID($0)) },
            for: f1,
            registry: registry
        )
        #expect(asked.map(\.state) == [.running, .finished, .unknown])
    }

    @Test func aFrameworkThatIsNotPartitionAwareHearsLostNotUnreachable() {
        var driver = registry()
        driver.accept(.agentUnreachable(id: a1, atNanos: 50))
        let plain = LeaderStateMachine.reconcile(
            [SchedulerCall.Reconcile.Task(taskID: TaskID("running"))],
            for: f1,
            registry: driver.registry
        )
        let aware = LeaderStateMachine.reconcile(
            [SchedulerCall.Reconcile.Task(taskID: TaskID("aware"))],
            for: f2,
            registry: driver.registry
        )
        #expect(plain.map(\.state) == [.lost])
        #expect(aware.map(\.state) == [.unreachable])
    }
}
