import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// A short real run with two `corral agent` processes and two schedulers: an agent killed and
/// restarted, a scheduler dropped and re-subscribed, the leader killed. It must pass every
/// checker, write the task report, and leave no master, agent, container mount or namespace.
@Suite(.serialized, .offCooperativePool) struct ChaosAgentsRunTests {
    static func scenario(_ network: Scenario.Network) -> Scenario {
        var scenario = Scenario(
            name: "test-agents-\(network.rawValue)", masters: 3, network: network, durationSeconds: 11, workload: .init(clients: 2),
            faults: [
                .init(kind: .kill, target: .agent, start: .init(1.5, 2), healAfter: .init(1, 1.5)),
                .init(kind: .kill, target: .scheduler, start: .init(1, 1.5), healAfter: .init(0.5, 1)),
                .init(kind: .kill, target: .leader, start: .init(1, 1.5), healAfter: .init(0.5, 1)),
            ])
        scenario.agents = 2
        scenario.tasks = Scenario.Tasks(schedulers: 2, concurrency: 4, taskSeconds: .init(0.2, 1.5), drainSeconds: 20)
        return scenario
    }

    @Test(arguments: [Scenario.Network.namespaces, .loopback]) func anAgentRunPassesAndLeavesNothing(_ network: Scenario.Network) throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let (summary, report) = try ChaosRunTests.run(Self.scenario(network), seed: 3, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        #expect(summary.faults.count == 3)
        #expect(summary.reattachSeconds.count == 1 && summary.reattachSeconds.allSatisfy { $0 != nil })
        let events = try ChaosRunTests.jsonLines("\(report)/tasks.jsonl")
        #expect(events.contains { $0["type"] as? String == "status" && $0["state"] as? String == "TASK_FINISHED" })
        #expect(events.filter { $0["type"] as? String == "subscribed" }.count >= 3, "two schedulers, one re-subscribed")
        let runs = try ChaosRunTests.jsonLines("\(report)/task-runs.jsonl")
        // At most once: a sandbox whose command never started (the launch raced a kill of
        // its agent or of the task) counts 0, and the summary's checker fails a second start.
        #expect(runs.contains { $0["runs"] as? Int == 1 } && runs.allSatisfy { ($0["runs"] as? Int ?? 2) <= 1 }, "\(runs)")
        let polls = try ChaosRunTests.jsonLines("\(report)/cluster.jsonl")
        #expect(polls.count > 20)
        let listens = try String(contentsOfFile: "\(report)/agent-1.log", encoding: .utf8)
        #expect(listens.contains(network == .loopback ? "listening: http 127.0.0.51:" : "listening: http 10.213."), "\(listens.prefix(600))")
        #expect(ProcessTable.pids(withArgumentContaining: report).isEmpty, "masters or agents left running after the run")
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(Self.plain(report)), "a mount left under the report")
        if network == .namespaces {
            let set = summary.network.split(separator: " ").first { $0.hasPrefix(NamespaceNetwork.prefix) }.map { String($0.dropLast(2)) }
            if let set { #expect(try NamespaceNetworkTests.leftovers(set).isEmpty, "namespaces left after the run") }
        }
    }

    /// Ctrl-C while tasks run kills every master and agent, stops the containers the agents
    /// left (no task process is left in a sandbox, no tmpfs under the report) and exits 130.
    @Test func interruptingARunWithAgentsLeavesNoTaskBehind() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let report = Self.plain("\(scratch.path)/report")
        let command = try ChaosRunTests.start("agent-kill-restart", seed: 3, report: report, output: "/dev/null")
        defer {
            for pid in ProcessTable.pids(withArgumentContaining: report) { kill(pid, SIGKILL) }
            if command.isRunning { kill(command.processIdentifier, SIGKILL) }
        }
        try eventuallyBlocking("tasks running in their sandboxes", seconds: 60) { !Self.processes(in: report).isEmpty }
        kill(command.processIdentifier, SIGINT)
        command.waitUntilExit()
        #expect(command.terminationStatus == 130)
        // Masters, agents and the agents' container supervisors all name the report in their arguments.
        try eventuallyBlocking("no master, agent or container supervisor left", seconds: 5) {
            ProcessTable.pids(withArgumentContaining: report).isEmpty
        }
        // The containers were stopped before the command exited: no task may outlive it.
        #expect(Self.processes(in: report).isEmpty, "tasks left running in their sandboxes")
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(Self.plain(report)), "a mount left under the report")
        #expect(try NamespaceNetworkTests.leftovers("\(NamespaceNetwork.prefix)\(command.processIdentifier)x").isEmpty)
    }

    /// `path` without doubled slashes, as the kernel writes paths (the scratch directory's has one).
    static func plain(_ path: String) -> String {
        var path = path
        while path.contains("//") { path = path.replacingOccurrences(of: "//", with: "/") }
        return path
    }

    /// Processes whose working directory is under `directory` (a task runs in its sandbox).
    static func processes(in directory: String) -> [String] {
        let directory = plain(directory)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.filter { pid in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? "").hasPrefix(directory)
        }
    }
}
