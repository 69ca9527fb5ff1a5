import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// Short real runs of the agent faults: the container inits of a seeded agent's tasks
/// SIGKILLed, and an agent cut off from the masters for longer than their agent timeout
/// (shortened to 4 s). Each must pass every checker and leave no process, mount or namespace.
@Suite(.serialized, .offCooperativePool) struct ChaosAgentFaultsRunTests {
    static func scenario(_ name: String, faults: [Scenario.FaultStep]) -> Scenario {
        var scenario = Scenario(name: name, masters: 3, network: .namespaces, durationSeconds: 12, workload: .init(clients: 2), faults: faults)
        scenario.agents = 2
        scenario.tasks = Scenario.Tasks(schedulers: 2, concurrency: 4, taskSeconds: .init(1, 3), killFraction: 0.1, drainSeconds: 20)
        scenario.tasks?.partitionAware = 1
        return scenario
    }

    @Test func killedInitsEndTheirTasksOnce() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let scenario = Self.scenario(
            "test-kill-init", faults: [.init(kind: .killInit, target: .agent, start: .init(2, 2.5), healAfter: .init(1, 1.5), repeats: 3, gap: .init(1, 1.5))])
        let (summary, report) = try ChaosRunTests.run(scenario, seed: 5, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        let killed = summary.tasks?.split(separator: ";").last { $0.contains("inits killed") } ?? ""
        #expect(killed.contains("TASK_FAILED") || killed.contains("TASK_KILLED"), "no killed init ended: \(summary.tasks ?? "")")
        let events = try ChaosRunTests.jsonLines("\(report)/tasks.jsonl")
        #expect(events.contains { $0["state"] as? String == "TASK_FAILED" && ($0["message"] as? String ?? "").contains("SIGKILL") })
        Self.expectNothingLeft(summary, report)
    }

    @Test func anAgentCutOffPastTheTimeoutComesBack() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        var scenario = Self.scenario(
            "test-agent-partition", faults: [.init(kind: .isolate, target: .agent, start: .init(2, 2.5), healAfter: .init(6.5, 7))])
        scenario.scheduling = MasterScheduling(agentHeartbeatSeconds: 1, agentTimeoutSeconds: 4)
        // The cut ends 8.5-9.5 s in; the agent must be back before the workload ends. At 12 s a
        // loaded machine (the cut lasting a second longer than planned, a 2 s subscribe
        // back-off) left too little time to see it (CI, seed 5); how long it took is judged by
        // the re-attach limit, not by where the workload happens to end.
        scenario.durationSeconds = 16
        let (summary, report) = try ChaosRunTests.run(scenario, seed: 5, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        let note = summary.notes.first { $0.hasPrefix("agent ") && $0.contains("cut off") } ?? ""
        #expect(!note.contains(": 0 tasks TASK_LOST, 0 TASK_UNREACHABLE"), "the masters did not mark the agent's tasks: \(summary.notes)")
        let settings = try String(contentsOfFile: "\(report)/master-settings.toml", encoding: .utf8)
        #expect(settings.contains("agent_timeout_seconds = 4.0"))
        let log = try String(contentsOfFile: "\(report)/master-1.log", encoding: .utf8) + String(contentsOfFile: "\(report)/master-2.log", encoding: .utf8)
            + String(contentsOfFile: "\(report)/master-3.log", encoding: .utf8)
        #expect(log.contains("marking it unreachable"))
        Self.expectNothingLeft(summary, report)
    }

    static func expectNothingLeft(_ summary: ChaosSummary, _ report: String) {
        #expect(ProcessTable.pids(withArgumentContaining: report).isEmpty, "masters or agents left running after the run")
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(!mounts.contains(ChaosAgentsRunTests.plain(report)), "a mount left under the report")
        let set = summary.network.split(separator: " ").first { $0.hasPrefix(NamespaceNetwork.prefix) }.map { String($0.dropLast(2)) }
        if let set { #expect((try? NamespaceNetworkTests.leftovers(set).isEmpty) ?? false, "namespaces left after the run") }
    }
}
