import CorralModel
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// The agent's HTTP limits over loopback: rates (429), connections (503) and slow clients.
@Suite(.offCooperativePool) struct AgentHTTPLimitsTests {
    static func server(_ limits: AgentLimits, fixture: AgentHTTPFixture) -> AgentHTTP {
        let base = fixture.http()
        return AgentHTTP(view: base.view, files: fixture.files, listen: fixture.config.httpListen, logger: base.logger, limits: limits)
    }

    @Test func aBurstIs429WithRetryAfterThenRecovers() async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        var limits = AgentLimits()
        // A token every 5 s: a loaded machine's slow requests cannot earn enough to hide the limit.
        limits.requestsPerSecond = 0.2
        limits.burst = 3
        try await AgentHTTPClient.with(Self.server(limits, fixture: fixture), .socket) { client in
            var statuses: [Int] = []
            var retryAfter: String?
            for _ in 0..<8 {
                let reply = try await client.get("/health")
                statuses.append(reply.status)
                if reply.status == 429 { retryAfter = reply.headers["retry-after"] }
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == 200 } && statuses.contains(429), "\(statuses)")
            let wait = try #require(retryAfter.flatMap(Int.init))
            try await Task.sleep(for: .seconds(wait))
            #expect(try await client.get("/health").status == 200)
        }
    }

    @Test func connectionsOverTheCapAndSlowClientsAreRefused() async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        var limits = AgentLimits()
        limits.maxConnections = 2
        limits.headerTimeoutSeconds = 3
        let server = Self.server(limits, fixture: fixture)
        try await AgentHTTPClient.with(server, .socket) { client in
            let port = try #require(client.port)
            let held = try (0..<2).map { _ in try LoopbackSocket(port: port) }
            // Until the server has counted both in: its connections are spread over event
            // loops, and a busy loop can take them in after a third one that another loop
            // admits (a fixed pause here was not always long enough under a full test run).
            try await eventually("the server holds both connections", seconds: 60) {
                server.guards.connections.count == 2
            }
            let refusal = try LoopbackSocket(port: port).readUntilClosed(seconds: 5)
            #expect(refusal.closed && refusal.text.hasPrefix("HTTP/1.1 503"), "\(refusal.text)")
            #expect(refusal.text.contains("--max-connections"))
            // The held connections send nothing: the header timeout closes them, and frees the slots.
            let started = ContinuousClock.now
            for socket in held { #expect(socket.readUntilClosed(seconds: 8).closed) }
            #expect(ContinuousClock.now - started < .seconds(8))
            #expect(try await client.get("/health").status == 200)
        }
    }

    @Test func limitsOutOfRangeAreRefusedWithTheFlag() {
        var limits = AgentLimits()
        limits.requestsPerSecond = -1
        #expect(throws: AgentConfigError.self) { try limits.validate() }
        limits = AgentLimits()
        limits.headerTimeoutSeconds = .infinity
        do {
            try limits.validate()
            Issue.record("an infinite timeout passed")
        } catch {
            #expect(error.description.contains("--header-timeout"))
        }
    }
}
