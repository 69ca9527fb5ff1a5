import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// The cluster CLI (`corral run`, `ps`, `logs`, `stop`, `agents`, `frameworks`) as a person
/// runs it: the real binary against a real 3-master quorum and a real agent.
@Suite(.serialized, .offCooperativePool) struct ClusterCLITests {
    @Test func runPsLogsStopAgentsAndFrameworksAgainstAQuorum() async throws {
        // The CLI children block their thread: keep them off the cooperative pool.
        try await offCooperativePool {
            let cluster = try MasterQuorum(masters: 3)
            defer { cluster.stopAll() }
            try await cluster.startAll()
            _ = try await cluster.leader()
            // Registered as "agent-a", a name no resolver knows: the CLI reaches the agent's
            // /files through the address its connection came from (its pid), as mesos-cli does.
            try cluster.startAgent("a")
            let masters = (1...3).map { cluster.address(UInt64($0)).description }.joined(separator: ",")
            func corral(_ arguments: String..., environment: [String: String] = [:]) throws -> ChildProcess.Outcome {
                try ChildProcess.run(
                    cluster.binary, arguments,
                    environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, scratch: cluster.root)
            }
            try await cluster.waitUntil("the agent listed by corral agents", seconds: 30) {
                (try corral("agents", "--masters", masters, "--json")).lines.joined().contains("agent-a")
            }

            let hi = try corral("run", "--timeout", "60", "--masters", masters, "--", "echo", "hi")
            #expect(hi.status == 0 && !hi.signaled, "\(hi.summary)\n\(cluster.logs())")
            #expect(hi.lines == ["hi"], "\(hi.summary)")
            #expect(hi.stderr.contains("TASK_FINISHED"), "\(hi.summary)")

            let three = try corral("run", "--timeout", "60", "--masters", masters, "--", "sh", "-c", "exit 3")
            #expect(three.status == 3 && !three.signaled, "\(three.summary)")
            #expect(three.stderr.contains("TASK_FAILED"), "\(three.summary)")

            let quiet = try corral("run", "--timeout", "60", "--masters", masters, "--json", "--", "sh", "-c", "echo unseen; exit 2")
            #expect(quiet.status == 2, "\(quiet.summary)")
            let summary = try JSONSerialization.jsonObject(with: Data(quiet.lines.joined(separator: "\n").utf8)) as? [[String: Any]]
            #expect(summary?.first?["exit_code"] as? Int == 2 && summary?.first?["state"] as? String == "TASK_FAILED", "\(quiet.summary)")

            let slow = try corral("run", "--timeout", "1", "--masters", masters, "--name", "slow", "--", "sleep 30")
            #expect(slow.status == 124 && slow.stderr.contains("timed out"), "\(slow.summary)")

            let several = try corral("run", "--timeout", "60", "--masters", masters, "--count", "2", "--name", "pair", "--", "echo from $MESOS_TASK_ID")
            #expect(several.status == 0, "\(several.summary)")
            #expect(Set(several.lines) == ["[pair-0] from pair-0", "[pair-1] from pair-1"], "\(several.summary)")

            let detached = try corral("run", "--timeout", "60", "--masters", masters, "-d", "--name", "talker", "--", "echo out; echo err >&2; exec sleep 120")
            #expect(detached.status == 0 && detached.lines == ["talker"], "\(detached.summary)")
            try await cluster.waitUntil("talker running in corral ps", seconds: 30) {
                let ps = try corral("ps", "--json", environment: ["CORRAL_MASTERS": masters])
                let rows = (try? JSONSerialization.jsonObject(with: Data(ps.lines.joined(separator: "\n").utf8))) as? [[String: Any]] ?? []
                return rows.contains { $0["id"] as? String == "talker" && $0["state"] as? String == "TASK_RUNNING" }
            }
            // The timed-out run asked for the kill before it exited; the KILLED update follows.
            try await cluster.waitUntil("the timed-out run's task killed in corral ps -a", seconds: 30) {
                try corral("ps", "-a", "--masters", masters).lines.contains { $0.hasPrefix("slow") && $0.contains("KILLED") }
            }
            let table = try corral("ps", "-a", "--masters", masters)
            #expect(table.status == 0, "\(table.summary)")
            #expect(table.lines.first?.hasPrefix("ID") == true, "\(table.lines)")
            #expect(table.lines.contains { $0.hasPrefix("talker") && $0.contains("RUNNING") && $0.contains("exec sleep 120") }, "\(table.lines)")
            #expect(table.lines.contains { $0.contains("FINISHED") && $0.contains("echo hi") }, "\(table.lines)")
            #expect(table.lines.contains { $0.hasPrefix("slow") && $0.contains("KILLED") }, "a run that timed out kills its task: \(table.lines)")

            try await cluster.waitUntil("talker's output in corral logs", seconds: 20) {
                let logs = try corral("logs", "--masters", masters, "talker")
                return logs.status == 0 && logs.lines == ["out"] && logs.stderr == "err\n"
            }

            // Only talker holds resources once the timed-out run's task is gone.
            var agentRows: [[String: Any]] = []
            try await cluster.waitUntil("corral agents showing talker's 0.1 cpus used", seconds: 20) {
                let agents = try corral("agents", "--masters", masters, "--json")
                agentRows = (try? JSONSerialization.jsonObject(with: Data(agents.lines.joined(separator: "\n").utf8))) as? [[String: Any]] ?? []
                let used = (agentRows.first?["used"] as? [String: Double])?["cpus"]
                return used.map { abs($0 - 0.1) < 1e-6 } == true
            }
            #expect(agentRows.count == 1)
            let total = (agentRows.first?["total"] as? [String: Double])?["cpus"]
            let free = (agentRows.first?["free"] as? [String: Double])?["cpus"]
            #expect(total == 8 && free.map { abs($0 - 7.9) < 1e-6 } == true, "\(agentRows)")

            let frameworks = try corral("frameworks", "-a", "--masters", masters)
            #expect(frameworks.lines.contains { $0.contains("corral run talker") }, "\(frameworks.lines)")
            #expect(frameworks.lines.contains { $0.contains("corral run pair") && $0.contains("completed") }, "\(frameworks.lines)")

            let stopped = try corral("stop", "--masters", masters, "talker")
            #expect(stopped.status == 0 && stopped.lines == ["talker TASK_KILLED"], "\(stopped.summary)")
            // The detached run's framework went with its last task.
            let afterStop = try corral("frameworks", "-a", "--masters", masters)
            #expect(afterStop.lines.contains { $0.contains("corral run talker") && $0.contains("completed") }, "\(afterStop.lines)")
            let unknown = try corral("stop", "--masters", masters, "no-such-task")
            #expect(unknown.status != 0 && unknown.stderr.contains("no-such-task"), "\(unknown.summary)")

            // No master at all, then masters without a leader: both said plainly, non-zero.
            let nobody = try corral("ps", "--masters", "127.0.0.1:\(try LoopbackPort.free())")
            #expect(nobody.status != 0 && nobody.stderr.contains("no master answers"), "\(nobody.summary)")
            // Right after the leader is killed, a run waits for the next one and works.
            let leader = try await cluster.leader()
            cluster.kill(leader)
            let after = try corral("run", "--timeout", "60", "--masters", masters, "--", "echo", "after")
            #expect(after.status == 0 && after.lines == ["after"], "\(after.summary)")
            if let other = (1...3).map(UInt64.init).first(where: { $0 != leader }) { cluster.kill(other) }
            // The last master may lead for one more election timeout before it sees it has
            // no quorum (check-quorum); from then on the CLI must say so.
            var headless = try corral("ps", "--masters", masters)
            try await cluster.waitUntil("ps to find no leader", seconds: 20) {
                headless = try corral("ps", "--masters", masters)
                return headless.status != 0
            }
            #expect(headless.status != 0 && headless.stderr.contains("no leader"), "\(headless.summary)")
        }
    }
}
