import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// A custom executor on a real agent, driven by a framework on the Swift SDK: the pymesos
/// executor of the pymesos tests (`Tests/CorralMasterTests/PyMesos/executor.py`, unmodified
/// pymesos from PyPI) gets its tasks, KILL reaches it, framework messages reach it, its exit
/// fails its last task and reaches the scheduler as FAILURE, and a framework's teardown shuts
/// it down.
@Suite(.serialized, .offCooperativePool) struct AgentExecutorEndToEndTests {
    static let pymesos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CorralMasterTests/PyMesos").path

    /// pymesos from PyPI in a virtualenv under `.build` (the pymesos tests' own script).
    static func virtualenv() throws -> String {
        let binary = try CorralBinary.locate()
        let venv = URL(fileURLWithPath: binary).deletingLastPathComponent().deletingLastPathComponent().path + "/pymesos-venv"
        let scratch = try ScratchDirectory(prefix: "corral-pymesos-venv")
        defer { scratch.remove() }
        let output = try ChildProcess.run("/bin/bash", [pymesos + "/setup-venv.sh", venv], scratch: scratch.path)
        guard !output.signaled, output.status == 0 else {
            throw FixtureFailure("setting up the pymesos virtualenv failed: \(output.summary)")
        }
        return venv
    }

    static func scheduler(_ cluster: MasterQuorum, tasks: Int, venv: String, log: String) throws -> LaunchingScheduler {
        let command = "EXECUTOR_LOG=\(log) exec \(venv)/bin/python \(pymesos)/executor.py"
        return try LaunchingScheduler(masters: [cluster.address(1).description], taskCount: tasks, perOffer: tasks) { id, agent in
            var info = TaskInfo(name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 0.1), .scalar("mem", 16)])
            info.executor = ExecutorInfo(executorID: "sdk-executor", command: CommandInfo(value: command))
            return info
        }
    }

    static func executorContainers(_ cluster: MasterQuorum) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: AgentChild.executorRecords(workDirectory: cluster.workDirectory("a")))) ?? []
    }

    /// One master, agent "a", and a framework running `tasks` tasks on one pymesos executor
    /// that logs its events to `<root>/executor-events.jsonl`.
    static func withExecutorFramework(
        tasks: Int, _ body: (MasterQuorum, LaunchingScheduler, _ log: String) async throws -> Void
    ) async throws {
        let venv = try await offCooperativePool { try Self.virtualenv() }
        let cluster = try MasterQuorum(masters: 1)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a")
        let log = cluster.root + "/executor-events.jsonl"
        let framework = try Self.scheduler(cluster, tasks: tasks, venv: venv, log: log)
        let running = Task(executorPreference: TestExecutor.shared) { await framework.run() }
        defer { running.cancel() }
        try await body(cluster, framework, log)
    }

    @Test func killsMessagesAndTheExecutorsExitReachItsTasksAndTheScheduler() async throws {
        try await Self.withExecutorFramework(tasks: 3) { cluster, framework, log in
            let ids = (0..<3).map { TaskID("task-\($0)") }
            try await cluster.waitUntil("the executor runs the tasks", seconds: 60) {
                let states = await framework.states
                return ids.allSatisfy { states[$0] == .running }
            }
            #expect(Self.executorContainers(cluster).count == 1, "one executor for its three tasks")
            // The agent's state shows the executor, in its own sandbox, with its three tasks.
            let port = try #require(cluster.agentPort("a"))
            let state = try await HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(5)).execute(
                HTTPStreamRequest(method: .GET, path: "/state"), host: "127.0.0.1", port: port)
            let json = try JSONSerialization.jsonObject(with: Data(state.body)) as? [String: Any]
            let executors = ((json?["frameworks"] as? [[String: Any]])?.first?["executors"] as? [[String: Any]]) ?? []
            #expect(executors.map { $0["id"] as? String } == ["sdk-executor"])
            #expect((executors.first?["directory"] as? String)?.hasSuffix("/executors/sandboxes/\(try #require(await framework.frameworkIDs.first).value)/sdk-executor") == true)
            #expect((executors.first?["tasks"] as? [Any])?.count == 3)
            let agentID = try #require(await framework.statuses[ids[0]]?.last?.agentID)

            try await framework.client.kill(ids[0], agentID: agentID)
            try await framework.client.message(agentID: agentID, executorID: "sdk-executor", data: Array("finish task-1".utf8))
            try await cluster.waitUntil("task-0 killed and task-1 finished", seconds: 30) {
                let states = await framework.states
                return states[ids[0]] == .killed && states[ids[1]] == .finished
            }
            #expect(await framework.statuses[ids[0]]?.last?.source == .executor, "the executor, not the agent, killed it")

            try await framework.client.message(agentID: agentID, executorID: "sdk-executor", data: Array("exit".utf8))
            try await cluster.waitUntil("the executor's exit reached the scheduler", seconds: 30) { await !framework.failures.isEmpty }
            let failure = try #require(await framework.failures.first)
            #expect(failure.executorID == "sdk-executor")
            #expect(failure.agentID == agentID)
            #expect(failure.status.map { $0 >> 8 } == 3)
            try await cluster.waitUntil("task-2 failed with its executor", seconds: 30) { await framework.states[ids[2]] == .failed }
            #expect(await framework.statuses[ids[2]]?.last?.reason == .executorTerminated)
            try await cluster.waitUntil("the executor's container is gone", seconds: 30) { Self.executorContainers(cluster).isEmpty }
            let events = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            #expect(events.filter { $0.contains("\"kill\"") }.count == 1)
        }
    }

    @Test func aTeardownShutsTheExecutorDown() async throws {
        try await Self.withExecutorFramework(tasks: 1) { cluster, framework, log in
            try await cluster.waitUntil("the task runs", seconds: 60) { await framework.states[TaskID("task-0")] == .running }
            try await framework.client.teardown()
            try await cluster.waitUntil("the executor was told to shut down and is gone", seconds: 30) {
                Self.executorContainers(cluster).isEmpty
            }
            let events = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            #expect(events.contains { $0.contains("\"shutdown\"") }, "SHUTDOWN reached the executor: \(events)")
        }
    }
}
