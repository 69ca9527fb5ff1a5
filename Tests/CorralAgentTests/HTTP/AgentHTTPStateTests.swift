import CorralModel
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// `GET /state` and the plain endpoints, in-process and over a socket.
@Suite(.offCooperativePool) struct AgentHTTPStateTests {
    @Test(arguments: AgentHTTPTransport.allCases)
    func stateShowsEachTaskUnderItsFrameworksExecutorWithItsDirectory(_ transport: AgentHTTPTransport) async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            let reply = try await client.get("/state")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            let state = reply.object
            #expect(state["id"] as? String == "agent-1")
            #expect(state["pid"] as? String == "slave(1)@127.0.0.1:5051")
            #expect(state["hostname"] as? String == "node-1")
            #expect(state["version"] as? String == CorralVersion.mesosCompatible)
            #expect(state["start_time"] as? Double == 1_700_000_000)
            #expect(state["master_hostname"] as? String == "10.0.0.5")
            let resources = state["resources"] as? [String: Any]
            #expect(resources?["cpus"] as? Double == 4)
            #expect(resources?["ports"] as? String == "[31000-31099]")
            let attributes = state["attributes"] as? [String: Any]
            #expect(attributes?["rack"] as? String == "r1")
            #expect(attributes?["level"] as? Double == 2)
            #expect((state["flags"] as? [String: String])?["hostname"] == "node-1")
            #expect((state["completed_frameworks"] as? [Any])?.isEmpty == true)

            let frameworks = state["frameworks"] as? [[String: Any]] ?? []
            #expect(frameworks.compactMap { $0["id"] as? String } == ["f1", "f2"])
            let f1 = try #require(frameworks.first)
            #expect(f1["name"] as? String == "spark")
            #expect(f1["user"] as? String == "alice")
            #expect(f1["role"] as? String == "analytics")
            let executors = f1["executors"] as? [[String: Any]] ?? []
            #expect(executors.compactMap { $0["id"] as? String } == ["ex", "t1"])
            let t1 = try #require(executors.first { $0["id"] as? String == "t1" })
            #expect(t1["directory"] as? String == fixture.sandboxes[AgentHTTPFixture.t1])
            #expect(t1["container"] as? String == "c-1")
            #expect(t1["source"] as? String == "t1")
            #expect((t1["queued_tasks"] as? [Any])?.isEmpty == true)
            let tasks = t1["tasks"] as? [[String: Any]] ?? []
            #expect(tasks.count == 1)
            let task = try #require(tasks.first)
            #expect(task["id"] as? String == "t1")
            #expect(task["framework_id"] as? String == "f1")
            #expect(task["slave_id"] as? String == "agent-1")
            #expect(task["state"] as? String == "TASK_RUNNING")
            #expect((task["resources"] as? [String: Any])?["mem"] as? Double == 256)
            let statuses = task["statuses"] as? [[String: Any]] ?? []
            #expect(statuses.compactMap { $0["state"] as? String } == ["TASK_RUNNING"])
            let containerID = (statuses.first?["container_status"] as? [String: Any])?["container_id"] as? [String: Any]
            #expect(containerID?["value"] as? String == "c-1")

            let group = try #require(executors.first { $0["id"] as? String == "ex" })
            #expect(group["directory"] as? String == fixture.sandboxes[AgentHTTPFixture.g1])
            #expect((group["tasks"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["g1", "g2"])
            #expect((group["tasks"] as? [[String: Any]])?.first?["executor_id"] as? String == "ex")

            // t2 ended and is waiting for its acknowledgement: a completed task of a completed executor.
            let completed = f1["completed_executors"] as? [[String: Any]] ?? []
            #expect(completed.compactMap { $0["id"] as? String } == ["t2"])
            let t2 = (completed.first?["completed_tasks"] as? [[String: Any]])?.first
            #expect(t2?["state"] as? String == "TASK_FAILED")
            #expect(completed.first?["directory"] as? String == fixture.sandboxes[AgentHTTPFixture.t2])

            let aliases = try await client.get("/state.json")
            #expect(aliases.object["frameworks"] as? NSArray == state["frameworks"] as? NSArray)
            #expect(try await client.get("/slave(1)/state").status == 200)
        }
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func healthVersionFlagsAndMetrics(_ transport: AgentHTTPTransport) async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            let health = try await client.get("/health")
            #expect(health.status == 200)
            #expect(health.text == "ok\n")
            let version = try await client.get("/version").object
            #expect(version["version"] as? String == CorralVersion.mesosCompatible)
            #expect(version["corral_version"] as? String == CorralVersion.corral)
            let flags = (try await client.get("/flags").object)["flags"] as? [String: String]
            #expect(flags?["work_dir"] == fixture.config.workDirectory)
            #expect(flags?["masters"] == "127.0.0.1:5050")
            let metrics = try await client.get("/metrics/snapshot").object
            #expect(metrics["slave/tasks_running"] as? Double == 1)
            // The command executor reports TASK_STARTING at once (`reportsStarting`).
            #expect(metrics["slave/tasks_starting"] as? Double == 3)
            #expect(metrics["slave/tasks_staging"] as? Double == 0)
            #expect(metrics["slave/cpus_used"] as? Double == 3.1)
            #expect(metrics["slave/registered"] as? Double == 1)

            let missing = try await client.get("/nowhere")
            #expect(missing.status == 404)
            #expect(missing.message.contains("GET /state"))
            let wrongMethod = try await client.send("DELETE", "/state", headers: [:], body: [])
            #expect(wrongMethod.status == 405)
        }
    }
}
