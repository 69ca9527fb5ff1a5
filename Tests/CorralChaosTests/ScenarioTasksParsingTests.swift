import CorralChaos
import Testing

/// `agents = N`, the `[tasks]` table and agent and scheduler faults: read when right, refused
/// naming the field when wrong; the schedule picks an agent or scheduler that exists.
@Suite struct ScenarioTasksParsingTests {
    private let head = "duration_seconds = 20\n"
    private let fault = "[[faults]]\nkind = \"kill\"\ntarget = \"leader\"\nstart = 1\nheal_after = 1\n"

    @Test func agentsAndTasksAreRead() throws {
        let scenario = try Scenario.parse(
            """
            duration_seconds = 20
            agents = 3
            [tasks]
            schedulers = 2
            concurrency = 4
            task_seconds = [0.1, 1.5]
            kill_fraction = 0.5
            failover_timeout_seconds = 40
            drain_seconds = 15
            [[faults]]
            kind = "kill"
            target = "agent"
            start = 1
            heal_after = [1, 2]
            repeat = 4
            [[faults]]
            kind = "kill"
            target = "scheduler"
            start = 1
            heal_after = 1
            """, name: "t")
        #expect(scenario.agents == 3)
        #expect(scenario.tasks == Scenario.Tasks(
            schedulers: 2, concurrency: 4, taskSeconds: .init(0.1, 1.5), killFraction: 0.5, failoverTimeoutSeconds: 40, drainSeconds: 15))
        #expect(scenario.networkNodes == [1, 2, 3, 41, 42, 43])
        for seed in UInt64(1)...20 {
            let plan = FaultSchedule.plan(scenario, seed: seed)
            #expect(plan.filter { $0.target == .agent }.allSatisfy { (1...3).contains($0.picks[0]) })
            #expect(plan.filter { $0.target == .scheduler }.allSatisfy { (1...2).contains($0.picks[0]) })
        }
    }

    @Test func noAgentsIsTheDefault() throws {
        let scenario = try Scenario.parse(head + fault, name: "t")
        #expect(scenario.agents == 0 && scenario.tasks == nil)
        #expect(scenario.networkNodes == [1, 2, 3])
    }

    static let bad: [(text: String, field: String)] = [
        ("agents = 9\n", "agents"),
        ("[tasks]\nschedulers = 1\n", "tasks"),
        ("agents = 2\n[tasks]\nschedulers = 5\n", "tasks.schedulers"),
        ("agents = 2\n[tasks]\nkill_fraction = 2\n", "tasks.kill_fraction"),
        ("agents = 2\n[tasks]\ntask_seconds = [0.01, 1]\n", "tasks.task_seconds"),
        ("agents = 2\n[tasks]\nspeed = 1\n", "tasks.speed"),
    ]

    @Test(arguments: 0..<bad.count) func badTasksNameTheField(_ index: Int) {
        let (text, field) = Self.bad[index]
        #expect { _ = try Scenario.parse(head + text + fault, name: "t", source: "bad.toml") } throws: { error in
            (error as? ScenarioError)?.field == field
        }
    }

    static let badFaults: [(text: String, field: String)] = [
        ("[[faults]]\nkind = \"kill\"\ntarget = \"agent\"\nstart = 1\nheal_after = 1\n", "faults[0].target"),
        ("agents = 1\n[[faults]]\nkind = \"split\"\ntarget = \"agent\"\nstart = 1\nheal_after = 1\n", "faults[0].kind"),
        ("agents = 1\n[[faults]]\nkind = \"kill\"\ntarget = \"scheduler\"\nstart = 1\nheal_after = 1\n", "faults[0].target"),
        ("agents = 1\n[tasks]\n[[faults]]\nkind = \"pause\"\ntarget = \"scheduler\"\nstart = 1\nheal_after = 1\n", "faults[0].kind"),
    ]

    @Test(arguments: 0..<badFaults.count) func agentAndSchedulerFaultsNeedTheirTargets(_ index: Int) {
        let (text, field) = Self.badFaults[index]
        #expect { _ = try Scenario.parse(head + text, name: "t", source: "bad.toml") } throws: { error in
            (error as? ScenarioError)?.field == field
        }
    }
}
