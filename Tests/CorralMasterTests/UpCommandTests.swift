import CorralMaster
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `corral up` as a person runs it: a leader SIGKILLed is reported, a new leader follows, the
/// dead master comes back and catches up, `corral run` works throughout, the cluster CLI works
/// against it, the survivors are never stopped, and Ctrl-C leaves nothing behind.
@Suite(.serialized, .offCooperativePool) struct UpCommandTests {
    /// How long the cluster may go without a leader after the leader's SIGKILL: the issue asks
    /// for "within a second" (the election timeout is 300–600 ms); the slack is for a test
    /// machine busy with the other suites.
    static let leaderlessLimitMilliseconds = 2_000

    @Test func aKilledLeaderIsReplacedRestartedAndCaughtUpWhileCorralRunWorks() async throws {
        let up = try UpProcess(["--agents", "1"])
        defer { up.cleanUp() }
        try await eventually("the demo job ran and a leader is reported", seconds: 90) {
            up.leader != nil && up.lines("demo: demo-").count == 3
        }
        #expect(up.lines("demo: demo-").allSatisfy { $0.contains("TASK_FINISHED: hello from demo-") }, "\(up.text)")
        #expect(up.text.contains("mesos CLI:  [master] address = "), "\(up.text)")
        let endpoints = try #require(up.endpoints, "\(up.text)")
        let leader = try #require(up.leader)
        let victims = up.masterPIDs(leader)
        #expect(victims.count == 1, "master \(leader): \(victims)\n\(up.text)")
        let corral = try CorralBinary.locate()
        let environment = ProcessInfo.processInfo.environment.merging(["CORRAL_MASTERS": endpoints]) { $1 }
        func cli(_ arguments: String...) throws -> ChildProcess.Outcome {
            try ChildProcess.run(corral, arguments, environment: environment, scratch: up.root)
        }

        // The leader dies and a task is submitted at once, while the cluster has no leader.
        for pid in victims { kill(pid, SIGKILL) }
        let hi = try cli("run", "--timeout", "60", "--name", "during-failover", "--", "echo", "hi")
        #expect(hi.status == 0 && !hi.signaled && hi.lines == ["hi"], "\(hi.summary)\n\(up.text)")
        #expect(hi.stderr.contains("TASK_FINISHED"), "\(hi.summary)")

        try await eventually("the death reported, a new leader, the master back and caught up", seconds: 30) {
            let all = up.text
            return all.contains("master \(leader) ended (killed by signal 9)") && all.contains("master \(leader) started again")
                && up.lines("leader: master").contains { !$0.hasPrefix("leader: master \(leader) ") && $0.contains("without a leader") }
                && !up.lines("master \(leader) caught up: applied index").isEmpty
        }
        // The first gap is the cluster's start; the others follow the kill.
        let gaps = up.leaderlessMilliseconds.dropFirst()
        #expect(!gaps.isEmpty && gaps.allSatisfy { $0 < Self.leaderlessLimitMilliseconds }, "\(up.text)")
        #expect(!up.text.contains("stopping the cluster"), "the survivors must not be stopped:\n\(up.text)")
        #expect(up.pids(matching: "agent --masters").count == 1)

        // The master that came back holds everything committed since, the run's task included.
        let statuses = endpoints.split(separator: ",").compactMap { endpoint in
            try? MasterClient(timeoutSeconds: 2).json(QuorumStatus.self, "GET", String(endpoint), "/quorum/status")
        }
        let now = try #require(QuorumStatus.agreedLeader(statuses, expected: 3), "\(statuses)")
        let restarted = try #require(now.members.first { "\($0.id)" == leader }?.http, "\(now.members)")
        try await eventually("master \(leader) applied the leader's commit index \(now.raft.commitIndex)", seconds: 20) {
            let own = try? MasterClient(timeoutSeconds: 2).json(QuorumStatus.self, "GET", restarted, "/quorum/status")
            return (own?.raft.appliedIndex ?? 0) >= now.raft.commitIndex
        }

        // The cluster CLI against this cluster, through $CORRAL_MASTERS.
        let ps = try cli("ps", "-a")
        #expect(ps.status == 0, "\(ps.summary)")
        #expect(ps.lines.contains { $0.hasPrefix("during-failover") && $0.contains("FINISHED") && $0.contains("echo hi") }, "\(ps.lines)")
        #expect(ps.lines.filter { $0.hasPrefix("demo-") && $0.contains("FINISHED") }.count == 3, "\(ps.lines)")
        let logs = try cli("logs", "during-failover")
        #expect(logs.status == 0 && logs.lines == ["hi"], "\(logs.summary)")
        let agents = try cli("agents", "--json")
        let agentRows = (try? JSONSerialization.jsonObject(with: Data(agents.lines.joined(separator: "\n").utf8))) as? [[String: Any]]
        #expect(agentRows?.count == 1 && agentRows?.first?["hostname"] as? String == "agent-1", "\(agents.summary)")
        // -d returns at once; logs -f follows the output until the task ends.
        let detached = try cli("run", "-d", "--timeout", "60", "--name", "counter", "--", "echo one; sleep 1; echo two")
        #expect(detached.status == 0 && detached.lines == ["counter"], "\(detached.summary)")
        let followed = try cli("logs", "-f", "counter")
        #expect(followed.status == 0 && followed.lines == ["one", "two"], "\(followed.summary)")
        let frameworks = try cli("frameworks", "-a")
        #expect(frameworks.lines.contains { $0.contains("corral run during-failover") }, "\(frameworks.lines)")
        #expect(frameworks.lines.contains { $0.contains("corral-up-demo") }, "\(frameworks.lines)")

        // What Mesos clients read, through a follower (redirected to the leader).
        let follower = try #require(now.members.first { $0.id != now.raft.id }.map { "\($0.http)" })
        func get(_ path: String) throws -> (status: Int, json: [String: Any]?) {
            let response = try MasterClient(timeoutSeconds: 5).request("GET", follower, path)
            return (response.status, try? JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any])
        }
        func ids(_ path: String) throws -> [String] {
            ((try get(path).json?["tasks"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        }
        for path in ["/slaves", "/master/slaves"] {
            let slaves = try get(path).json?["slaves"] as? [[String: Any]]
            #expect(slaves?.count == 1 && slaves?.first?["hostname"] as? String == "agent-1", "\(path): \(String(describing: slaves))")
        }
        let ascending = try ids("/tasks?order=asc&limit=-1")
        #expect(Set(ascending).isSuperset(of: ["demo-0", "demo-1", "demo-2", "during-failover", "counter"]), "\(ascending)")
        #expect(try ids("/master/tasks?order=des&limit=-1") == ascending.reversed())
        #expect(try ids("/tasks?order=asc&offset=1&limit=2") == Array(ascending.dropFirst().prefix(2)))
        let one = try get("/master/tasks?task_id=during-failover").json?["tasks"] as? [[String: Any]]
        #expect(one?.count == 1 && one?.first?["state"] as? String == "TASK_FINISHED", "\(String(describing: one))")
        let demo0 = try get("/tasks?task_id=demo-0").json?["tasks"] as? [[String: Any]]
        let demoFramework = try #require(demo0?.first?["framework_id"] as? String)
        #expect(try Set(ids("/tasks?framework_id=\(demoFramework)")) == ["demo-0", "demo-1", "demo-2"])
        #expect(try get("/tasks?order=sideways").status == 400)
        let health = try MasterClient(timeoutSeconds: 5).request("GET", follower, "/master/health")
        #expect(health.status == 200 && health.text.isEmpty, "\(health.status) \(health.text)")
        for path in ["/api/v1/operator", "/master/api/v1"] {
            let level = try MasterClient(timeoutSeconds: 5).request("POST", follower, path, body: Array(#"{"type":"GET_LOGGING_LEVEL"}"#.utf8))
            #expect(level.status == 200 && level.text.contains("get_logging_level"), "\(path): \(level.status) \(level.text)")
        }

        // A task still running at Ctrl-C: its container, cgroup and mounts go with the cluster.
        let marker = "still-running-\(UInt32.random(in: 0...UInt32.max))"
        let sleeper = try cli("run", "-d", "--timeout", "60", "--name", "sleeper", "--", "sleep 300; echo \(marker)")
        #expect(sleeper.status == 0, "\(sleeper.summary)")
        var cgroups: [String] = []
        try await eventually("the sleeper's container running, in a memory cgroup", seconds: 30) {
            cgroups = UpProcess.processes(matching: marker).compactMap(UpProcess.memoryCgroup)
            return !cgroups.isEmpty
        }

        kill(up.process.processIdentifier, SIGINT)
        try await eventually("corral up exits", seconds: 30) { !up.process.isRunning }
        #expect(up.process.terminationStatus == 0, "\(up.text)")
        #expect(up.text.contains("stopped"))
        #expect(UpProcess.processes(matching: up.root).isEmpty, "left running after Ctrl-C")
        #expect(UpProcess.processes(matching: marker).isEmpty, "the container's processes left running after Ctrl-C")
        #expect(cgroups.filter { FileManager.default.fileExists(atPath: $0) }.isEmpty, "cgroups left behind: \(cgroups)")
        // A container mounts its root file system in its own mount namespace, which ends with
        // it; none of the cluster's mounts may be left in this one.
        #expect(UpProcess.mounts(under: up.root).isEmpty, "mounts left behind: \(UpProcess.mounts(under: up.root))")
    }

    @Test func fiveMastersSurviveTheLeadersDeathTheSameWay() async throws {
        let up = try UpProcess(["--masters", "5", "--agents", "0", "--no-demo"])
        defer { up.cleanUp() }
        try await eventually("a leader is reported", seconds: 60) { up.leader != nil }
        #expect(up.text.contains("started 5 masters"), "\(up.text)")
        let leader = try #require(up.leader)
        let victims = up.masterPIDs(leader)
        #expect(victims.count == 1, "master \(leader): \(victims)\n\(up.text)")
        for pid in victims { kill(pid, SIGKILL) }
        try await eventually("the death reported, a new leader, the master back and caught up", seconds: 30) {
            up.text.contains("master \(leader) ended (killed by signal 9)") && up.text.contains("master \(leader) started again")
                && up.lines("leader: master").contains { !$0.hasPrefix("leader: master \(leader) ") && $0.contains("without a leader") }
                && !up.lines("master \(leader) caught up").isEmpty
        }
        #expect(up.leaderlessMilliseconds.dropFirst().allSatisfy { $0 < Self.leaderlessLimitMilliseconds }, "\(up.text)")
        #expect((1...5).allSatisfy { up.masterPIDs("\($0)").count == 1 }, "every master runs:\n\(up.text)")
        kill(up.process.processIdentifier, SIGINT)
        try await eventually("corral up exits", seconds: 30) { !up.process.isRunning }
        #expect(up.process.terminationStatus == 0, "\(up.text)")
        #expect(UpProcess.processes(matching: up.root).isEmpty, "left running after Ctrl-C")
    }

    @Test func restartNeverReportsTheDeathAndLeavesTheSurvivorsLeading() async throws {
        let up = try UpProcess(["--agents", "0", "--no-demo", "--restart", "never"])
        defer { up.cleanUp() }
        try await eventually("a leader is reported", seconds: 60) { up.leader != nil }
        let leader = try #require(up.leader)
        let follower = try #require(["1", "2", "3"].first { $0 != leader })
        for pid in up.masterPIDs(follower) { kill(pid, SIGKILL) }
        try await eventually("the death reported", seconds: 30) {
            up.text.contains("master \(follower) ended (killed by signal 9); not restarting it (--restart never)")
        }
        // Past the restart backoff: still dead, and the two others still have their leader.
        try await Task.sleep(for: .seconds(1))
        #expect(up.masterPIDs(follower).isEmpty && !up.text.contains("master \(follower) started again"), "\(up.text)")
        #expect(up.leader == leader && !up.text.contains("no leader:"), "\(up.text)")
        kill(up.process.processIdentifier, SIGINT)
        try await eventually("corral up exits", seconds: 30) { !up.process.isRunning }
        #expect(up.process.terminationStatus == 0, "\(up.text)")
        #expect(UpProcess.processes(matching: up.root).isEmpty, "left running after Ctrl-C")
    }
}
