import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real masters, a real `corral agent` and a framework on the real SDK: tasks run in
/// containers, their states come back, and neither the agent's nor the leader's death loses
/// or duplicates anything.
@Suite(.serialized, .offCooperativePool) struct AgentEndToEndTests {
    static func task(_ id: TaskID, _ agent: AgentID, _ command: String, mem: Double = 16) -> TaskInfo {
        TaskInfo(name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 0.1), .scalar("mem", Scalar(mem))],
                 command: CommandInfo(value: command))
    }

    /// Runs `framework` beside `body`, then stops it.
    static func with(_ framework: LaunchingScheduler, _ body: () async throws -> Void) async throws {
        let running = Task(executorPreference: TestExecutor.shared) { await framework.run() }
        defer { running.cancel() }
        try await body()
    }

    @Test func tasksFinishFailRunOutOfMemoryAreKilledAndTimeOut() async throws {
        let cluster = try MasterQuorum(masters: 1)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a")
        let commands: [String: (String, Double)] = [
            "hello": ("echo hello from $MESOS_TASK_ID", 16),
            "fails": ("exit 3", 16),
            "hog": ("a=0123456789abcdef; while true; do a=\"$a$a\"; done", 32),
            "graceful": ("trap 'echo got TERM; exit 0' TERM; while true; do sleep 0.05; done", 16),
            "overtime": ("sleep 60", 16),
        ]
        let order = ["hello", "fails", "hog", "graceful", "overtime"]
        let framework = try LaunchingScheduler(masters: [cluster.address(1).description], taskCount: order.count, perOffer: 5) { id, agent in
            let index = Int(id.value.split(separator: "-").last ?? "") ?? 0
            let name = order[index]
            var info = Self.task(TaskID(name), agent, commands[name]?.0 ?? "true", mem: commands[name]?.1 ?? 16)
            if name == "graceful" { info.killPolicy = KillPolicy(gracePeriod: DurationInfo(nanoseconds: 20_000_000_000)) }
            if name == "overtime" { info.maxCompletionTime = DurationInfo(nanoseconds: 1_000_000_000) }
            return info
        }
        try await Self.with(framework) {
            try await cluster.waitUntil("graceful running", seconds: 60) { await framework.states[TaskID("graceful")] == .running }
            let agentID = try #require(await framework.statuses[TaskID("graceful")]?.last?.agentID)
            let killedAt = ContinuousClock.now
            try await framework.client.kill(TaskID("graceful"), agentID: agentID)
            try await cluster.waitUntil("every task ended", seconds: 60) { await framework.ended == order.count }
            #expect(ContinuousClock.now - killedAt < .seconds(15), "a task that exits on SIGTERM must not wait for its grace period")
        }
        let last = await framework.statuses.mapValues { $0.last }
        #expect(last[TaskID("hello")]??.state == .finished)
        #expect(last[TaskID("fails")]??.state == .failed)
        #expect(last[TaskID("fails")]??.reason == .commandExecutorFailed)
        #expect(last[TaskID("hog")]??.state == .failed)
        #expect(last[TaskID("hog")]??.reason == .containerLimitationMemory, "\(String(describing: last[TaskID("hog")]))")
        #expect(last[TaskID("graceful")]??.state == .killed)
        #expect(last[TaskID("overtime")]??.state == .failed)
        #expect(last[TaskID("overtime")]??.reason == .maxCompletionTimeReached)
        let frameworkID = try #require(await framework.frameworkIDs.first)
        let stdout = "\(cluster.workDirectory("a"))/sandboxes/\(frameworkID.value)/hello/stdout"
        #expect((try? String(contentsOfFile: stdout, encoding: .utf8)) == "hello from hello\n")
        let graceful = "\(cluster.workDirectory("a"))/sandboxes/\(frameworkID.value)/graceful/stdout"
        #expect((try? String(contentsOfFile: graceful, encoding: .utf8))?.contains("got TERM") == true)
        #expect(await framework.statuses.values.allSatisfy { Set($0.filter { $0.state.isTerminal }.map(\.state)).count == 1 })

        // The agent's own API serves the sandbox, and nothing outside it.
        let port = try #require(cluster.agentPort("a"))
        let client = HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        let read = try await client.execute(
            HTTPStreamRequest(method: .GET, path: "/files/read?path=\(stdout)&offset=0"), host: "127.0.0.1", port: port)
        #expect(read.status.code == 200)
        #expect(String(decoding: read.body, as: UTF8.self).contains("hello from hello"))
        let escape = try await client.execute(
            HTTPStreamRequest(method: .GET, path: "/files/read?path=\(stdout)/../../../../../containers&offset=0"),
            host: "127.0.0.1", port: port)
        #expect(escape.status.code == 403)
        let state = try await client.execute(HTTPStreamRequest(method: .GET, path: "/state"), host: "127.0.0.1", port: port)
        #expect(state.status.code == 200)
        #expect(String(decoding: state.body, as: UTF8.self).contains("\"hostname\":\"agent-a\""))

        // Once the master acknowledged their ends, the tasks are completed on the agent, as
        // mesos-agent lists them: under their completed executors' completed_tasks.
        var completed: [String: String] = [:]
        try await eventually("the agent lists every task as completed", seconds: 30) {
            guard
                let reply = try? await client.execute(HTTPStreamRequest(method: .GET, path: "/state"), host: "127.0.0.1", port: port),
                let json = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
            else { return false }
            let frameworks = (json["frameworks"] as? [[String: Any]] ?? []) + (json["completed_frameworks"] as? [[String: Any]] ?? [])
            let executors = frameworks.flatMap { $0["completed_executors"] as? [[String: Any]] ?? [] }
            let tasks = executors.flatMap { $0["completed_tasks"] as? [[String: Any]] ?? [] }
            completed = Dictionary(tasks.compactMap { task in
                (task["id"] as? String).map { ($0, task["state"] as? String ?? "") }
            }) { first, _ in first }
            return Set(completed.keys) == Set(order)
        }
        #expect(completed["hello"] == "TASK_FINISHED")
        #expect(completed["graceful"] == "TASK_KILLED")
    }

    @Test func healthChecksReportHealthAndKillATaskThatKeepsFailingThem() async throws {
        let cluster = try MasterQuorum(masters: 1)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a")
        let framework = try LaunchingScheduler(masters: [cluster.address(1).description], taskCount: 2, perOffer: 2) { id, agent in
            var info = Self.task(id, agent, "sleep 60")
            let passing = id.value.hasSuffix("-0")
            var check = HealthCheck(type: "COMMAND", command: CommandInfo(value: passing ? "test -d /proc/1" : "exit 1"))
            check.delaySeconds = 0
            check.intervalSeconds = 0.2
            check.gracePeriodSeconds = 0
            check.consecutiveFailures = 2
            info.healthCheck = check
            info.killPolicy = KillPolicy(gracePeriod: DurationInfo(nanoseconds: 500_000_000))
            return info
        }
        try await Self.with(framework) {
            try await cluster.waitUntil("the passing task healthy and the failing one killed", seconds: 60) {
                let statuses = await framework.statuses
                return statuses[TaskID("task-0")]?.contains { $0.healthy == true } == true
                    && statuses[TaskID("task-1")]?.last?.state == .killed
            }
        }
        let statuses = await framework.statuses
        #expect(statuses[TaskID("task-0")]?.last?.state == .running)
        #expect(statuses[TaskID("task-1")]?.contains { $0.state == .running && $0.healthy == false } == true)
        #expect(statuses[TaskID("task-1")]?.last?.healthy == false)
    }

    @Test func tasksOutliveAnAgentThatIsKilledAndRestarted() async throws {
        let cluster = try MasterQuorum(masters: 1)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a")
        let framework = try LaunchingScheduler(masters: [cluster.address(1).description], taskCount: 5, perOffer: 5) { id, agent in
            Self.task(id, agent, "sleep 3; echo done")
        }
        try await Self.with(framework) {
            try await cluster.waitUntil("five tasks running", seconds: 60) {
                await framework.states.values.filter { $0 == .running }.count == 5
            }
            cluster.killAgent("a")
            try cluster.startAgent("a")
            try await cluster.waitUntil("every task ended", seconds: 60) { await framework.ended == 5 }
        }
        let statuses = await framework.statuses
        for (id, seen) in statuses {
            #expect(seen.last?.state == .finished, "\(id): \(seen.map(\.state.rawValue))")
            #expect(seen.filter { $0.state.isTerminal }.map(\.state) == [.finished], "\(id): \(seen.map(\.state.rawValue))")
        }
    }

    @Test func aLeaderKilledWithFiftyTasksInFlightLosesAndRepeatsNothing() async throws {
        let cluster = try MasterQuorum(masters: 3)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a")
        let starts = "\(cluster.root)/starts"
        _ = FileManager.default.createFile(atPath: starts, contents: nil)
        let masters = (1...3).map { cluster.address(UInt64($0)).description }
        let framework = try LaunchingScheduler(masters: masters, taskCount: 50, perOffer: 10) { id, agent in
            Self.task(id, agent, "echo $MESOS_TASK_ID >> \(starts); sleep 1")
        }
        try await Self.with(framework) {
            try await cluster.waitUntil("some tasks launched", seconds: 60) { await framework.states.count >= 10 }
            let leader = try await cluster.leader()
            cluster.kill(leader)
            try await cluster.waitUntil("every task ended", seconds: 90) { await framework.ended == 50 }
        }
        let statuses = await framework.statuses
        #expect(statuses.count == 50)
        for (id, seen) in statuses {
            let terminal = Set(seen.filter { $0.state.isTerminal }.map(\.state))
            #expect(terminal == [.finished], "\(id): \(seen.map(\.state.rawValue))")
        }
        let lines = ((try? String(contentsOfFile: starts, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        #expect(lines.count == 50, "task starts: \(lines.count)")
        #expect(Set(lines).count == lines.count, "a task started twice: \(lines.sorted())")
    }
}
