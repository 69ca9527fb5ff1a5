import CorralChaos
import Testing

/// The agent faults (`kill-init`, `isolate` an agent), the masters' `[scheduling]` and
/// `tasks.partition_aware`: read when right, refused naming the field when wrong.
@Suite struct AgentFaultsParsingTests {
    private let head = "duration_seconds = 30\nagents = 2\n[tasks]\nschedulers = 2\n"

    private func step(_ kind: String, _ target: String = "agent") -> String {
        "[[faults]]\nkind = \"\(kind)\"\ntarget = \"\(target)\"\nstart = 1\nheal_after = [1, 2]\n"
    }

    @Test func agentFaultsAndSettingsAreRead() throws {
        let scenario = try Scenario.parse(
            "duration_seconds = 30\nagents = 2\n[scheduling]\nagent_heartbeat_seconds = 1\nagent_timeout_seconds = 6\n"
                + "[tasks]\nschedulers = 2\npartition_aware = 1\n" + step("kill-init") + step("isolate"), name: "t")
        #expect(scenario.faults.map(\.kind) == [.killInit, .isolate])
        #expect(scenario.faults.allSatisfy { $0.target == .agent })
        #expect(scenario.scheduling == MasterScheduling(agentHeartbeatSeconds: 1, agentTimeoutSeconds: 6))
        #expect(scenario.tasks?.partitionAware == 1)
        #expect(scenario.hasPartitions, "an agent partition needs the namespaces")
        #expect(scenario.scheduling.toml == "[scheduling]\nagent_heartbeat_seconds = 1.0\nagent_timeout_seconds = 6.0\n")
        for seed in UInt64(1)...10 {
            #expect(FaultSchedule.plan(scenario, seed: seed).allSatisfy { (1...2).contains($0.picks[0]) })
        }
    }

    /// An agent's full disk mounts the agents' work directories, not the masters' data.
    @Test func anAgentDiskFullIsTheAgents() throws {
        let scenario = try Scenario.parse(head + step("disk-full"), name: "t")
        #expect(scenario.hasAgentDiskFull && !scenario.hasDiskFull)
        let masters = try Scenario.parse(head + step("disk-full", "leader"), name: "t")
        #expect(masters.hasDiskFull && !masters.hasAgentDiskFull)
    }

    @Test func theMastersKeepTheirDefaultsUnlessTold() throws {
        let scenario = try Scenario.parse(head + step("kill-init"), name: "t")
        #expect(scenario.scheduling.isEmpty && scenario.tasks?.partitionAware == 0)
        #expect(scenario.scheduling.heartbeatSeconds == 5 && scenario.scheduling.timeoutSeconds == 30)
    }

    /// A partition is surely short when it ends, plus a heartbeat and 2 s, before the timeout.
    @Test func aShortPartitionIsShortBySomeMargin() {
        let scheduling = MasterScheduling(agentHeartbeatSeconds: 1, agentTimeoutSeconds: 6)
        #expect(scheduling.surelyReachable(partitionSeconds: 2.9))
        #expect(!scheduling.surelyReachable(partitionSeconds: 3.0))
        #expect(!scheduling.surelyReachable(partitionSeconds: 9))
    }

    static let bad: [(text: String, field: String)] = [
        ("duration_seconds = 30\n" + "[[faults]]\nkind = \"kill-init\"\ntarget = \"leader\"\nstart = 1\nheal_after = 1\n", "faults[0].target"),
        ("duration_seconds = 30\nagents = 2\n" + "[[faults]]\nkind = \"kill-init\"\ntarget = \"agent\"\nstart = 1\nheal_after = 1\n", "faults[0].kind"),
        ("duration_seconds = 30\nagents = 2\n" + "[[faults]]\nkind = \"lossy\"\ntarget = \"agent\"\nstart = 1\nheal_after = 1\nlinks = \"loss=0.1\"\n", "faults[0].kind"),
        ("duration_seconds = 30\nagents = 2\nnetwork = \"loopback\"\n" + "[[faults]]\nkind = \"isolate\"\ntarget = \"agent\"\nstart = 1\nheal_after = 1\n", "faults[0].kind"),
        ("duration_seconds = 30\nagents = 2\n[scheduling]\nagent_timeout_seconds = 2\nagent_heartbeat_seconds = 3\n"
            + "[[faults]]\nkind = \"kill\"\ntarget = \"agent\"\nstart = 1\nheal_after = 1\n", "scheduling.agent_timeout_seconds"),
        ("duration_seconds = 30\nagents = 2\n[scheduling]\nagent_timeout_seconds = 0\n"
            + "[[faults]]\nkind = \"kill\"\ntarget = \"agent\"\nstart = 1\nheal_after = 1\n", "scheduling.agent_timeout_seconds"),
        ("duration_seconds = 30\nagents = 2\n[scheduling]\nallocation_interval_ms = 5\n"
            + "[[faults]]\nkind = \"kill\"\ntarget = \"agent\"\nstart = 1\nheal_after = 1\n", "scheduling.allocation_interval_ms"),
        ("duration_seconds = 30\nagents = 2\n[tasks]\nschedulers = 2\npartition_aware = 3\n"
            + "[[faults]]\nkind = \"kill-init\"\ntarget = \"agent\"\nstart = 1\nheal_after = 1\n", "tasks.partition_aware"),
    ]

    @Test(arguments: 0..<bad.count) func badAgentFaultsNameTheField(_ index: Int) {
        let (text, field) = Self.bad[index]
        #expect { _ = try Scenario.parse(text, name: "t", source: "bad.toml") } throws: { error in
            (error as? ScenarioError)?.field == field
        }
    }

    /// The shipped agent fault scenarios parse, and their short partitions are short.
    @Test func theShippedScenariosParse() throws {
        let kill = try Scenario.load(path: "\(ScenarioParsingTests.folder)/agent-init-kill.toml")
        #expect(kill.faults.first?.kind == .killInit)
        #expect(try Scenario.load(path: "\(ScenarioParsingTests.folder)/agent-disk-full.toml").hasAgentDiskFull)
        let partition = try Scenario.load(path: "\(ScenarioParsingTests.folder)/agent-partition.toml")
        let isolations = partition.faults.filter { $0.kind == .isolate && $0.target == .agent }
        #expect(isolations.count == 2)
        #expect(partition.scheduling.surelyReachable(partitionSeconds: isolations[0].healAfter.high))
        #expect(isolations[1].healAfter.low > partition.scheduling.timeoutSeconds + partition.scheduling.heartbeatSeconds)
    }
}
