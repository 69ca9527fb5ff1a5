import CorralContainer
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `corral events` against a real 3-master quorum: an agent joining, a task's state changes
/// and a leader change appear, as JSON lines and as text. And the masters' log lines name
/// their node and term.
@Suite(.serialized, .offCooperativePool) struct EventsCommandTests {
    @Test func eventsShowAnAgentJoiningTaskStatesAndALeaderChange() async throws {
        try await offCooperativePool {
            let cluster = try MasterQuorum(masters: 3)
            defer { cluster.stopAll() }
            try await cluster.startAll()
            let leader = try await cluster.leader()
            let masters = (1...3).map { cluster.address(UInt64($0)).description }.joined(separator: ",")
            let json = try Watcher(cluster, ["events", "--masters", masters, "--json"], name: "json")
            defer { json.stop() }
            let text = try Watcher(cluster, ["events", "--masters", masters], name: "text")
            defer { text.stop() }
            try await cluster.waitUntil("both watchers subscribed", seconds: 30) {
                json.objects().contains { $0["type"] as? String == "subscribed" } && text.lines().contains { $0.contains("subscribed") }
            }
            #expect(json.objects().first?["type"] as? String == "leader" && json.objects().first?["leader"] as? Int == Int(leader), "\(json.lines())")

            try cluster.startAgent("a")
            try await cluster.waitUntil("the agent's arrival", seconds: 30) {
                json.objects().contains { $0["type"] as? String == "agent_joined" && $0["hostname"] as? String == "agent-a" }
            }
            let run = try ChildProcess.run(cluster.binary, ["run", "--timeout", "60", "--masters", masters, "--name", "hello", "--", "echo hi"], scratch: cluster.root)
            #expect(run.status == 0, "\(run.summary)")
            try await cluster.waitUntil("the task's states", seconds: 30) {
                let states = json.objects().filter { $0["type"] as? String == "task" && $0["task_id"] as? String == "hello" }.compactMap { $0["state"] as? String }
                return states.contains("TASK_RUNNING") && states.last == "TASK_FINISHED"
            }
            #expect(text.lines().contains { $0.contains("agent_joined") && $0.contains("agent agent-a") }, "\(text.lines())")

            cluster.kill(leader)
            let next = try await cluster.leader()
            try await cluster.waitUntil("the leader change", seconds: 30) {
                json.objects().contains { $0["type"] as? String == "leader" && $0["leader"] as? Int == Int(next) && $0["previous"] as? Int == Int(leader) }
            }
            // Each master's log line names its node and term: the new leader's, once it logs.
            let term = json.objects().last { $0["type"] as? String == "leader" }?["term"] as? Int ?? 0
            let address = cluster.address(next)
            let body = #"{"type": "SET_LOGGING_LEVEL", "set_logging_level": {"level": 1, "duration": {"nanoseconds": 60000000000}}}"#
            let set = try await HTTPStreamClient().execute(
                HTTPStreamRequest(method: .POST, path: "/api/v1", headers: ["Content-Type": "application/json"], body: Array(body.utf8)),
                host: address.host, port: address.port)
            #expect(set.status.code / 100 == 2, "\(set.status) \(set.bodyText)")
            try await cluster.waitUntil("the new leader's log naming its node and term", seconds: 10) {
                let log = cluster.tail("\(cluster.root)/master-\(next).log")
                return log.split(separator: "\n").contains { $0.contains("logging level changed") && $0.contains("node=\(next) ") && $0.contains("term=\(term) ") }
            }

            // Followed onto the new leader: a task there is seen too.
            let after = try ChildProcess.run(cluster.binary, ["run", "--timeout", "60", "--masters", masters, "--name", "after", "--", "true"], scratch: cluster.root)
            #expect(after.status == 0, "\(after.summary)")
            try await cluster.waitUntil("the task run after the fail-over", seconds: 30) {
                json.objects().contains { $0["task_id"] as? String == "after" && $0["state"] as? String == "TASK_FINISHED" }
                    && text.lines().contains { $0.contains("task after TASK_FINISHED on agent-a") }
            }
            // Nothing was reported twice across the change (the new leader's state repeats it all).
            let hello = json.objects().filter { $0["task_id"] as? String == "hello" }.compactMap { $0["state"] as? String }
            #expect(hello.count == Set(hello).count, "\(hello)")
        }
    }

    /// A `corral events` child whose output goes to a file the test reads.
    final class Watcher {
        let process: Process
        let output: String

        init(_ cluster: MasterQuorum, _ arguments: [String], name: String) throws {
            output = "\(cluster.root)/events-\(name).out"
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cluster.binary)
            process.arguments = arguments
            process.standardOutput = FileHandle(forWritingAtPath: output)
            _ = FileManager.default.createFile(atPath: output + ".err", contents: nil)
            process.standardError = FileHandle(forWritingAtPath: output + ".err")
            try process.runWithoutInheritedFiles()
            self.process = process
        }

        func lines() -> [String] {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func objects() -> [[String: Any]] {
            lines().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }
}
