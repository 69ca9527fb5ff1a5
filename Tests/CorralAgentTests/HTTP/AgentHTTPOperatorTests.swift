import CorralModel
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// `POST /api/v1`: each call answers in the v1 shape, and bad calls say what was wrong.
@Suite(.offCooperativePool) struct AgentHTTPOperatorTests {
    /// `response[type.lowercased()]`, after checking the status and `type`.
    static func payload(_ reply: AgentHTTPReply, _ type: String) -> [String: Any] {
        #expect(reply.status == 200, "\(type): \(reply.text)")
        #expect(reply.headers["content-type"] == "application/json")
        #expect(reply.object["type"] as? String == type)
        return reply.object[type.lowercased()] as? [String: Any] ?? [:]
    }

    static func ids(_ list: Any?, _ field: String) -> [String] {
        (list as? [[String: Any]] ?? []).compactMap { ($0[field] as? [String: Any])?["value"] as? String }
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func everyCallAnswers(_ transport: AgentHTTPTransport) async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            #expect(Self.payload(try await client.call("GET_HEALTH"), "GET_HEALTH")["healthy"] as? Bool == true)
            let version = Self.payload(try await client.call("GET_VERSION"), "GET_VERSION")["version_info"] as? [String: Any]
            #expect(version?["version"] as? String == CorralVersion.mesosCompatible)
            let flags = Self.payload(try await client.call("GET_FLAGS"), "GET_FLAGS")["flags"] as? [[String: String]] ?? []
            #expect(flags.contains(["name": "hostname", "value": "node-1"]))

            let metricList = Self.payload(try await client.call("GET_METRICS", "{}"), "GET_METRICS")["metrics"] as? [[String: Any]] ?? []
            let metrics = Dictionary(metricList.compactMap { m in (m["name"] as? String).map { ($0, m["value"] as? Double ?? -1) } }, uniquingKeysWith: { a, _ in a })
            #expect(metrics["slave/tasks_running"] == 1)
            #expect(metrics["slave/cpus_total"] == 4)
            #expect(metrics["slave/cpus_used"] == 3.1)
            #expect(metrics["slave/mem_total"] == 4096)
            // t1 256, the group 64 + 64 + 32 (its executor), x 128; t2 ended.
            #expect(metrics["slave/mem_used"] == 544.0)
            #expect(metrics["slave/registered"] == 1)
            #expect((metrics["slave/uptime_secs"] ?? 0) > 0)
            #expect(metrics["slave/tasks_finished"] == nil)

            let tasks = Self.payload(try await client.call("GET_TASKS"), "GET_TASKS")
            #expect(Self.ids(tasks["launched_tasks"], "task_id") == ["g1", "g2", "t1", "x"])
            #expect(Self.ids(tasks["terminated_tasks"], "task_id") == ["t2"])
            let t1 = (tasks["launched_tasks"] as? [[String: Any]])?.first { ($0["task_id"] as? [String: Any])?["value"] as? String == "t1" }
            #expect((t1?["agent_id"] as? [String: Any])?["value"] as? String == "agent-1")
            #expect(t1?["state"] as? String == "TASK_RUNNING")
            #expect((t1?["resources"] as? [[String: Any]])?.count == 2)
            // t2's FAILED update is still unacknowledged: its stream's head is the STARTING one.
            let t2 = (tasks["terminated_tasks"] as? [[String: Any]])?.first
            #expect(t2?["status_update_state"] as? String == "TASK_STARTING")
            #expect((t2?["statuses"] as? [[String: Any]])?.compactMap { $0["state"] as? String } == ["TASK_STARTING", "TASK_FAILED"])

            let executors = Self.payload(try await client.call("GET_EXECUTORS"), "GET_EXECUTORS")
            let live = (executors["executors"] as? [[String: Any]] ?? []).compactMap { $0["executor_info"] as? [String: Any] }
            #expect(Self.ids(live, "executor_id") == ["ex", "t1", "x"])
            #expect(live.first?["type"] as? String == "DEFAULT")
            #expect(Self.ids((executors["completed_executors"] as? [[String: Any]])?.compactMap { $0["executor_info"] }, "executor_id") == ["t2"])

            let frameworks = Self.payload(try await client.call("GET_FRAMEWORKS"), "GET_FRAMEWORKS")
            let infos = (frameworks["frameworks"] as? [[String: Any]] ?? []).compactMap { $0["framework_info"] as? [String: Any] }
            #expect(Self.ids(infos, "id") == ["f1", "f2"])
            #expect(infos.first?["name"] as? String == "spark")

            let state = Self.payload(try await client.call("GET_STATE"), "GET_STATE")
            #expect(Self.ids((state["get_tasks"] as? [String: Any])?["launched_tasks"], "task_id") == ["g1", "g2", "t1", "x"])
            #expect(state["get_executors"] != nil && state["get_frameworks"] != nil)

            let containers = Self.payload(try await client.call("GET_CONTAINERS"), "GET_CONTAINERS")["containers"] as? [[String: Any]] ?? []
            #expect(Self.ids(containers, "container_id") == ["c-1"])
            #expect(Self.ids(containers, "executor_id") == ["t1"])
            #expect((containers.first?["container_status"] as? [String: Any])?["executor_pid"] as? Int == 42)

            let agent = Self.payload(try await client.call("GET_AGENT"), "GET_AGENT")["agent_info"] as? [String: Any]
            #expect(agent?["hostname"] as? String == "node-1")

            let list = Self.payload(try await client.call("LIST_FILES", "{\"path\":\"\(sandbox)\"}"), "LIST_FILES")
            let infosList = list["file_infos"] as? [[String: Any]] ?? []
            let stdout = infosList.first { $0["path"] as? String == sandbox + "/stdout" }
            #expect(stdout?["size"] as? Int == AgentHTTPFixture.stdout.utf8.count)
            #expect(((stdout?["mode"] as? Int) ?? 0) & 0o170777 == 0o100644)
            #expect((infosList.first { $0["path"] as? String == sandbox + "/sub" }?["mode"] as? Int ?? 0) & 0o170000 == 0o040000)
            #expect(((stdout?["mtime"] as? [String: Any])?["nanoseconds"] as? Int ?? 0) > 1_000_000_000_000_000_000)

            let read = Self.payload(
                try await client.call("READ_FILE", "{\"path\":\"\(sandbox)/binary\",\"offset\":\"1\",\"length\":3}"), "READ_FILE")
            #expect(read["size"] as? Int == 5)
            #expect((read["data"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } == [1, 2, 0xFF])
        }
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func fileCallsAreConfinedToTheSandboxes(_ transport: AgentHTTPTransport) async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            let dotdot = try await client.call("READ_FILE", "{\"path\":\"\(sandbox)/../../../../../../secret/key\",\"offset\":0}")
            #expect(dotdot.status == 403)
            let symlink = try await client.call("READ_FILE", "{\"path\":\"\(sandbox)/escape-file\",\"offset\":0}")
            #expect(symlink.status == 403)
            #expect(!symlink.text.contains("do not read"))
            let listEscape = try await client.call("LIST_FILES", "{\"path\":\"\(sandbox)/escape\"}")
            #expect(listEscape.status == 403)
            let missing = try await client.call("READ_FILE", "{\"path\":\"\(sandbox)/nothing\",\"offset\":0}")
            #expect(missing.status == 404)
            let noOffset = try await client.call("READ_FILE", "{\"path\":\"\(sandbox)/stdout\"}")
            #expect(noOffset.status == 400)
            #expect(noOffset.message.contains("read_file.offset"))
            let noPayload = try await client.call("LIST_FILES")
            #expect(noPayload.status == 400)
            #expect(noPayload.message.contains("list_files"))
        }
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func badRequestsSayWhatWasWrong(_ transport: AgentHTTPTransport) async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            let unknown = try await client.call("GET_WEATHER")
            #expect(unknown.status == 400)
            #expect(unknown.message.contains("GET_WEATHER"))
            #expect(unknown.message.contains("GET_HEALTH") && unknown.message.contains("READ_FILE"))
            let unsupported = try await client.call("LAUNCH_NESTED_CONTAINER")
            #expect(unsupported.status == 400)
            #expect(unsupported.message.contains("not supported"))
            let untyped = try await client.post("/api/v1", json: "{}")
            #expect(untyped.status == 400)
            #expect(untyped.message.contains("type"))

            let malformed = try await client.post("/api/v1", json: "{\"type\": \"GET_HEALTH\"")
            #expect(malformed.status == 400)
            #expect(malformed.message.contains("malformed JSON"))
            #expect(malformed.message.contains("end of file"))
            let empty = try await client.post("/api/v1", json: "")
            #expect(empty.status == 400)
            #expect(empty.message.contains("empty"))
            let wrongType = try await client.post("/api/v1", json: "{\"type\": 7}")
            #expect(wrongType.status == 400)
            #expect(wrongType.message.contains("type: expected String"))

            let huge = "{\"type\":\"GET_HEALTH\",\"pad\":\"" + String(repeating: "x", count: AgentHTTP.maxBodyBytes) + "\"}"
            let tooLarge = try await client.post("/api/v1", json: huge)
            #expect(tooLarge.status == 413)

            let text = try await client.post("/api/v1", json: "{\"type\":\"GET_HEALTH\"}", contentType: "text/plain")
            #expect(text.status == 415)
            #expect(text.message.contains("text/plain"))
            let protobuf = try await client.post("/api/v1", json: "{}", contentType: "application/x-protobuf")
            #expect(protobuf.status == 415)
            let none = try await client.post("/api/v1", json: "{\"type\":\"GET_HEALTH\"}", contentType: nil)
            #expect(none.status == 400)
            #expect(none.message.contains("Content-Type"))
            let charset = try await client.post("/api/v1", json: "{\"type\":\"GET_HEALTH\"}", contentType: "application/json; charset=utf-8")
            #expect(charset.status == 200)
            let notAcceptable = try await client.send(
                "POST", "/api/v1", headers: ["Content-Type": "application/json", "Accept": "application/x-protobuf"],
                body: Array("{\"type\":\"GET_HEALTH\"}".utf8))
            #expect(notAcceptable.status == 406)

            let get = try await client.get("/api/v1")
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST")
        }
    }
}
