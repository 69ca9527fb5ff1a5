import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Synchronization
import Testing

@testable import CorralAgent

/// `ATTACH_CONTAINER_OUTPUT`: a container's `stdout` and `stderr` as `ProcessIO` records, from
/// the start and as they grow, until the container has exited and both files are drained.
@Suite(.offCooperativePool) struct AgentHTTPAttachTests {
    /// What the records carried, per stream.
    struct Output {
        var stdout = ""
        var stderr = ""
        var decoder = RecordIODecoder()

        mutating func add(_ chunk: [UInt8]) throws {
            for record in try decoder.decode(chunk) {
                let io = try #require(try JSONSerialization.jsonObject(with: Data(record)) as? [String: Any])
                #expect(io["type"] as? String == "DATA")
                let data = try #require(io["data"] as? [String: Any])
                let bytes = try #require((data["data"] as? String).flatMap { Data(base64Encoded: $0) })
                #expect(!bytes.isEmpty, "mesos-cli fails on a record without data")
                switch data["type"] as? String {
                case "STDOUT": stdout += String(decoding: bytes, as: UTF8.self)
                case "STDERR": stderr += String(decoding: bytes, as: UTF8.self)
                default: Issue.record("a record of no known stream: \(data)")
                }
            }
        }
    }

    static func attach(_ payload: String, headers: [String: String]? = nil) -> AgentHTTPRequest {
        AgentHTTPRequest(
            method: "POST", uri: "/api/v1",
            headers: headers ?? ["Content-Type": "application/json", "Accept": "application/recordio", "Message-Accept": "application/json"],
            body: Array("{\"type\":\"ATTACH_CONTAINER_OUTPUT\",\"attach_container_output\":\(payload)}".utf8))
    }

    static let c1 = "{\"container_id\":{\"value\":\"c-1\"}}"

    static func append(_ text: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    static func stream(_ response: AgentHTTPResponse) throws -> AsyncStream<[UInt8]> {
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/recordio")
        #expect(response.headers["Message-Content-Type"] == "application/json")
        guard case .stream(let stream) = response.body else {
            throw AgentHTTPAttachProblem(message: "not a stream: status \(response.status), \(response.body)")
        }
        return stream.records
    }

    @Test(.timeLimit(.minutes(1)))
    func followsBothFilesUntilTheContainerExits() async throws {
        var fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        try Data("warning 1\n".utf8).write(to: URL(fileURLWithPath: sandbox + "/stderr"))
        let current = Mutex(fixture.view())
        let http = AgentHTTP(view: { current.withLock { $0 } }, files: fixture.files, listen: fixture.config.httpListen)

        var records = try Self.stream(await http.respond(Self.attach(Self.c1))).makeAsyncIterator()
        var output = Output()
        // What was written before the attach comes first.
        while output.stdout != AgentHTTPFixture.stdout || output.stderr != "warning 1\n" {
            try output.add(try #require(await records.next(), "the stream ended while the task runs"))
        }
        // Then what is written while attached, as the stream waits for it.
        async let written: Void = {
            try await Task.sleep(for: .milliseconds(350))
            try Self.append("after attach\n", to: sandbox + "/stdout")
        }()
        while output.stdout != AgentHTTPFixture.stdout + "after attach\n" {
            try output.add(try #require(await records.next(), "the stream ended while the task runs"))
        }
        try await written
        // Written just before the exit: still delivered, then the stream ends.
        try Self.append("last words\n", to: sandbox + "/stderr")
        fixture.harness.step(.taskEnded(AgentHTTPFixture.t1, TaskEnd(state: .finished, reason: nil, message: "exited 0")))
        current.withLock { $0 = fixture.view() }
        while let chunk = await records.next() { try output.add(chunk) }
        #expect(output.stdout == AgentHTTPFixture.stdout + "after attach\n")
        #expect(output.stderr == "warning 1\nlast words\n")
    }

    @Test(.timeLimit(.minutes(1)))
    func anExitedContainerGivesItsWholeOutputAndEnds() async throws {
        var fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        // More than one chunk, so the records are cut and put back together.
        let big = String(repeating: "0123456789abcdef", count: ContainerOutputTail.chunkBytes / 8)
        try Data(big.utf8).write(to: URL(fileURLWithPath: sandbox + "/stderr"))
        fixture.harness.step(.taskEnded(AgentHTTPFixture.t1, TaskEnd(state: .failed, reason: nil, message: "exited 1")))
        let view = fixture.view()
        let http = AgentHTTP(view: { view }, files: fixture.files, listen: fixture.config.httpListen)
        var output = Output()
        var count = 0
        for await chunk in try Self.stream(await http.respond(Self.attach(Self.c1, headers: ["Content-Type": "application/json"]))) {
            try output.add(chunk)
            count += 1
        }
        #expect(output.stdout == AgentHTTPFixture.stdout)
        #expect(output.stderr == big)
        #expect(count == 3)
    }

    @Test(.timeLimit(.minutes(1)))
    func overASocketTheOutputIsAChunkedRecordIOStream() async throws {
        var fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        fixture.harness.step(.taskEnded(AgentHTTPFixture.t1, TaskEnd(state: .finished, reason: nil, message: "exited 0")))
        let view = fixture.view()
        let http = AgentHTTP(view: { view }, files: fixture.files, listen: fixture.config.httpListen, logger: fixture.http().logger)
        let request = Self.attach(Self.c1)
        try await AgentHTTPClient.with(http, .socket) { client in
            var call = HTTPStreamRequest(method: .POST, path: "/api/v1", body: request.body)
            for (name, value) in request.headers { call.headers.add(name: name, value: value) }
            let port = try #require(client.port)
            let (status, headers, output) = try await HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(5)).stream(
                call, host: "127.0.0.1", port: port
            ) { response in
                var headers: [String: String] = [:]
                for (name, value) in response.headers { headers[name.lowercased()] = value }
                var output = Output()
                for try await chunk in response.body { try output.add(Array(chunk.readableBytesView)) }
                return (Int(response.status.code), headers, output)
            }
            #expect(status == 200)
            #expect(headers["content-type"] == "application/recordio" && headers["message-content-type"] == "application/json")
            #expect(headers["transfer-encoding"] == "chunked", "clients read the output as it comes")
            #expect(output.stdout == AgentHTTPFixture.stdout && output.stderr == "")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aTaskOfAGroupIsFollowedInItsOwnContainer() async throws {
        var fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.g1])
        try Data("from g1\n".utf8).write(to: URL(fileURLWithPath: sandbox + "/stdout"))
        fixture.harness.step(.taskRunning(AgentHTTPFixture.g1, containerID: ContainerID("c-g1"), pid: 43))
        fixture.harness.step(.taskEnded(AgentHTTPFixture.g1, TaskEnd(state: .finished, reason: nil, message: "exited 0")))
        let view = fixture.view()
        let http = AgentHTTP(view: { view }, files: fixture.files, listen: fixture.config.httpListen)
        var output = Output()
        for await chunk in try Self.stream(await http.respond(Self.attach("{\"container_id\":{\"value\":\"c-g1\"}}"))) {
            try output.add(chunk)
        }
        #expect(output.stdout == "from g1\n")
    }

    @Test func badAttachCallsSayWhatWasWrong() async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let http = fixture.http()
        /// Expects `request` answered `status` with a message that mentions `words`.
        func expectRefused(_ request: AgentHTTPRequest, _ status: Int, mentioning words: String, sourceLocation: SourceLocation = #_sourceLocation) async {
            let response = await http.respond(request)
            var message = ""
            if case .bytes(let bytes) = response.body {
                message = (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?["message"] as? String ?? ""
            }
            #expect(response.status == status && message.contains(words), "\(response.status): \(message)", sourceLocation: sourceLocation)
        }
        await expectRefused(Self.attach("{\"container_id\":{\"value\":\"no-such\"}}"), 404, mentioning: "no-such")
        await expectRefused(Self.attach("{\"container_id\":{\"value\":\"c-1\",\"parent\":{\"value\":\"p\"}}}"), 404, mentioning: "c-1")
        let noPayload = AgentHTTPRequest(
            method: "POST", uri: "/api/v1", headers: ["Content-Type": "application/json"],
            body: Array("{\"type\":\"ATTACH_CONTAINER_OUTPUT\"}".utf8))
        await expectRefused(noPayload, 400, mentioning: "container_id")
        await expectRefused(Self.attach("{}"), 400, mentioning: "container_id")
        await expectRefused(Self.attach("{\"container_id\":\"c-1\"}"), 400, mentioning: "container_id")
        let protobuf = ["Content-Type": "application/json", "Accept": "application/recordio", "Message-Accept": "application/x-protobuf"]
        await expectRefused(Self.attach(Self.c1, headers: protobuf), 406, mentioning: "Message-Accept: application/json")
        let notStreaming = ["Content-Type": "application/json", "Accept": "application/json"]
        await expectRefused(Self.attach(Self.c1, headers: notStreaming), 406, mentioning: "Accept: application/recordio")
    }
}

struct AgentHTTPAttachProblem: Error {
    var message: String
}
