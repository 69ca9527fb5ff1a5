import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// `POST /api/v1/executor`: SUBSCRIBE streams RecordIO-framed JSON events (chunked over a
/// socket), UPDATE and MESSAGE are answered 202, and bad calls say what was wrong.
@Suite(.offCooperativePool) struct AgentHTTPExecutorTests {
    static let subscribe = #"{"type":"SUBSCRIBE","framework_id":{"value":"f1"},"executor_id":{"value":"exec-1"},"subscribe":{"unacknowledged_tasks":[],"unacknowledged_updates":[]}}"#

    static func http(_ endpoint: ExecutorEndpointDouble) throws -> (AgentHTTP, AgentHTTPFixture) {
        let fixture = try AgentHTTPFixture()
        let base = fixture.http()
        return (AgentHTTP(view: base.view, files: base.files, listen: base.listen, logger: base.logger, executors: endpoint), fixture)
    }

    /// The first `count` events of a SUBSCRIBE, read in-process or over a socket.
    static func events(_ client: AgentHTTPClient, count: Int) async throws -> (status: Int, headers: [String: String], events: [ExecutorEvent]) {
        let body = Array(subscribe.utf8)
        var decoder = RecordIODecoder()
        var events: [ExecutorEvent] = []
        guard let port = client.port else {
            let response = await client.http.respond(AgentHTTPRequest(
                method: "POST", uri: "/api/v1/executor", headers: ["Content-Type": "application/json"], body: body))
            guard case .stream(let stream) = response.body else { return (response.status, response.headers, []) }
            for await chunk in stream.records {
                events += try decoder.decode(chunk).map { try MesosJSON.decode(ExecutorEvent.self, from: $0) }
                if events.count >= count { break }
            }
            return (response.status, response.headers, events)
        }
        var request = HTTPStreamRequest(method: .POST, path: "/api/v1/executor", body: body)
        request.headers.add(name: "Content-Type", value: "application/json")
        return try await HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(5)).stream(
            request, host: "127.0.0.1", port: port
        ) { response in
            var headers: [String: String] = [:]
            for (name, value) in response.headers { headers[name.lowercased()] = value }
            var events: [ExecutorEvent] = []
            for try await chunk in response.body {
                events += try decoder.decode(chunk.readableBytesView).map { try MesosJSON.decode(ExecutorEvent.self, from: $0) }
                if events.count >= count { break }
            }
            return (Int(response.status.code), headers, events)
        }
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func subscribeStreamsEventsAndCallsAreAccepted(_ transport: AgentHTTPTransport) async throws {
        let endpoint = ExecutorEndpointDouble()
        let (http, fixture) = try Self.http(endpoint)
        defer { fixture.remove() }
        try await AgentHTTPClient.with(http, transport) { client in
            defer { endpoint.finishAll() }
            let subscribed = try await Self.events(client, count: 2)
            #expect(subscribed.status == 200)
            #expect(subscribed.headers.first { $0.key.lowercased() == "content-type" }?.value == "application/json")
            if transport == .socket {
                #expect(subscribed.headers["transfer-encoding"] == "chunked", "executors read the stream incrementally")
            }
            #expect(subscribed.events.map(\.type) == [.subscribed, .launch])
            #expect(subscribed.events.first?.subscribed?.executorInfo.executorID == "exec-1")
            #expect(subscribed.events.last?.launch?.task.taskID == "t1")

            let update = #"{"type":"UPDATE","framework_id":{"value":"f1"},"executor_id":{"value":"exec-1"},"update":{"status":{"task_id":{"value":"t1"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR","uuid":"AAECAwQFBgcICQoLDA0ODw=="}}}"#
            let updated = try await client.post("/api/v1/executor", json: update)
            #expect(updated.status == 202, "\(updated.text)")
            let message = #"{"type":"MESSAGE","framework_id":{"value":"f1"},"executor_id":{"value":"exec-1"},"message":{"data":"aGk="}}"#
            #expect(try await client.post("/api/v1/executor", json: message).status == 202)
            let accepted = endpoint.accepted
            #expect(accepted.map(\.type) == [.update, .message])
            #expect(accepted.first?.update?.status.uuid == Array(0..<16))
            #expect(accepted.last?.message?.data == Array("hi".utf8))
        }
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func badCallsSayWhatWasWrong(_ transport: AgentHTTPTransport) async throws {
        let endpoint = ExecutorEndpointDouble()
        let (http, fixture) = try Self.http(endpoint)
        defer { fixture.remove() }
        try await AgentHTTPClient.with(http, transport) { client in
            let unknown = try await client.post(
                "/api/v1/executor", json: #"{"type":"SUBSCRIBE","framework_id":{"value":"f1"},"executor_id":{"value":"nobody"}}"#)
            #expect(unknown.status == 400)
            #expect(unknown.message.contains("does not run on this agent"))
            let noUUID = try await client.post(
                "/api/v1/executor",
                json: #"{"type":"UPDATE","framework_id":{"value":"f1"},"executor_id":{"value":"exec-1"},"update":{"status":{"task_id":{"value":"t1"},"state":"TASK_RUNNING"}}}"#)
            #expect(noUUID.status == 400)
            #expect(noUUID.message.contains("uuid"))
            let malformed = try await client.post("/api/v1/executor", json: "{\"type\":")
            #expect(malformed.status == 400)
            #expect(malformed.message.contains("malformed executor call"))
            let wrongType = try await client.post(
                "/api/v1/executor", json: #"{"type":"LAUNCH","framework_id":{"value":"f1"},"executor_id":{"value":"exec-1"}}"#)
            #expect(wrongType.status == 400)
            #expect(wrongType.message.contains("SUBSCRIBE, UPDATE or MESSAGE"))
            #expect(try await client.post("/api/v1/executor", json: Self.subscribe, contentType: "application/x-protobuf").status == 415)
            #expect(try await client.get("/api/v1/executor").status == 405)
            #expect(endpoint.accepted.isEmpty)
        }
    }
}
