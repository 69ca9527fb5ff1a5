import CorralModel
import CorralScheduler
import NIOCore
import NIOHTTP1
import Testing

@Suite("The HTTP/1.1 client on its own")
struct HTTPStreamClientTests {
    /// Reads a RecordIO event stream the way an agent double would.
    @Test func streamsRecordIOEvents() async throws {
        try await withMasters(1, heartbeatSeconds: 0.05) { masters in
            let client = HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
            let subscribe = try MesosJSON.encode(SchedulerCall.subscribe(FrameworkInfo(user: "u", name: "n")))
            let request = HTTPStreamRequest(
                method: .POST,
                path: "/api/v1/scheduler",
                headers: ["Content-Type": "application/json"],
                body: subscribe
            )
            let (streamID, types) = try await client.stream(request, host: "127.0.0.1", port: masters[0].port)
            {
                response in
                #expect(response.status == .ok)
                var decoder = RecordIODecoder()
                var types: [SchedulerEvent.Kind?] = []
                reading: for try await chunk in response.body {
                    for record in try decoder.decode(chunk.readableBytesView) {
                        types.append(try MesosJSON.decode(SchedulerEvent.self, from: record).type)
                        if types.count == 3 { break reading }
                    }
                }
                return (response.headers.first(name: "Mesos-Stream-Id"), types)
            }
            #expect(streamID == "stream-1")
            #expect(types == [.subscribed, .heartbeat, .heartbeat])
            try await eventually("the stream to close") { masters[0].openStreamIDs.isEmpty }
        }
    }

    @Test func executeReturnsTheWholeResponse() async throws {
        try await withMasters(1) { masters in
            masters[0].answerCalls(.badRequest, body: "nope")
            let client = HTTPStreamClient()
            let body = try MesosJSON.encode(SchedulerCall(type: .teardown, frameworkID: "fw-1"))
            let request = HTTPStreamRequest(method: .POST, path: "/api/v1/scheduler", body: body)
            let response = try await client.execute(request, host: "127.0.0.1", port: masters[0].port)
            #expect(response.status == .badRequest)
            #expect(response.bodyText == "nope")

            let error = await #expect(throws: SchedulerError.self) {
                try await client.execute(request, host: "127.0.0.1", port: masters[0].port, bodyLimitBytes: 2)
            }
            #expect(error?.code == .bodyTooLarge)
        }
    }

    @Test func readTimeoutClosesASilentStream() async throws {
        try await withMasters(1, heartbeatSeconds: 60) { masters in
            let client = HTTPStreamClient(readTimeout: .seconds(5))
            let subscribe = try MesosJSON.encode(SchedulerCall.subscribe(FrameworkInfo(user: "u", name: "n")))
            let request = HTTPStreamRequest(method: .POST, path: "/api/v1/scheduler", body: subscribe)
            let error = await #expect(throws: SchedulerError.self) {
                try await client.stream(request, host: "127.0.0.1", port: masters[0].port) { response in
                    response.control.setReadTimeout(.milliseconds(100))
                    for try await _ in response.body {}
                }
            }
            #expect(error?.code == .timedOut)
        }
    }

    @Test func refusedConnectionFails() async throws {
        let port = try await FailoverTests.closedPort()
        let client = HTTPStreamClient()
        let error = await #expect(throws: SchedulerError.self) {
            try await client.execute(HTTPStreamRequest(path: "/"), host: "127.0.0.1", port: port)
        }
        #expect(error?.code == .connectionFailed)
    }
}
