import CorralTestSupport
import NIOCore
import Testing

@testable import CorralScheduler

/// `execute` keeps connections alive between requests, and never fails a request because an
/// idle connection closed.
@Suite(.offCooperativePool) struct HTTPKeepAliveTests {
    @Test func requestsInARowShareOneConnection() async throws {
        let server = try await KeepAliveServerDouble()
        let client = HTTPStreamClient(readTimeout: .seconds(10))
        for index in 0..<5 {
            let response = try await client.execute(HTTPStreamRequest(path: "/call/\(index)"), host: "127.0.0.1", port: server.port)
            #expect(response.status == .ok && response.bodyText == "/call/\(index)")
        }
        #expect(server.acceptedConnections == 1)
        #expect(client.pool.idleCount == 1)
        await server.stop()
    }

    @Test func concurrentRequestsEachGetAConnectionAndAllAreKeptForLater() async throws {
        let server = try await KeepAliveServerDouble()
        let client = HTTPStreamClient(readTimeout: .seconds(10))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<4 {
                group.addTask {
                    let response = try await client.execute(HTTPStreamRequest(path: "/c/\(index)"), host: "127.0.0.1", port: server.port)
                    #expect(response.bodyText == "/c/\(index)")
                }
            }
            try await group.waitForAll()
        }
        let opened = server.acceptedConnections
        #expect(opened >= 1 && opened <= 4)
        _ = try await client.execute(HTTPStreamRequest(path: "/after"), host: "127.0.0.1", port: server.port)
        #expect(server.acceptedConnections == opened, "a kept connection served the next request")
        await server.stop()
    }

    @Test func aServerThatClosesEachResponseGetsANewConnectionEachTime() async throws {
        let server = try await KeepAliveServerDouble(closeEachResponse: true)
        let client = HTTPStreamClient(readTimeout: .seconds(10))
        for index in 0..<3 {
            let response = try await client.execute(HTTPStreamRequest(path: "/x/\(index)"), host: "127.0.0.1", port: server.port)
            #expect(response.bodyText == "/x/\(index)")
        }
        #expect(server.acceptedConnections == 3)
        #expect(client.pool.idleCount == 0)
        await server.stop()
    }

    @Test func anIdleConnectionTheServerClosedIsReplacedWithoutAnError() async throws {
        let server = try await KeepAliveServerDouble()
        let client = HTTPStreamClient(readTimeout: .seconds(10))
        _ = try await client.execute(HTTPStreamRequest(path: "/one"), host: "127.0.0.1", port: server.port)
        await server.closeConnections()
        try await eventually("the client to see the close", seconds: 10) { client.pool.idleCount == 0 }
        let response = try await client.execute(HTTPStreamRequest(path: "/two"), host: "127.0.0.1", port: server.port)
        #expect(response.bodyText == "/two")
        #expect(server.acceptedConnections == 2)
        await server.stop()
    }

    @Test func anIdleConnectionPastTheReadTimeoutIsClosedAndTheNextRequestWorks() async throws {
        let server = try await KeepAliveServerDouble()
        let client = HTTPStreamClient(readTimeout: .seconds(2))
        _ = try await client.execute(HTTPStreamRequest(path: "/one"), host: "127.0.0.1", port: server.port)
        try await eventually("the idle connection to time out", seconds: 10) { client.pool.idleCount == 0 }
        let response = try await client.execute(HTTPStreamRequest(path: "/two"), host: "127.0.0.1", port: server.port)
        #expect(response.bodyText == "/two")
        await server.stop()
    }
}
