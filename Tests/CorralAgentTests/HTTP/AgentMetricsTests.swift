import CorralModel
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// `GET /metrics` on an agent, read by the real Prometheus text parser, agrees with
/// `/metrics/snapshot` and GET_METRICS on the fixture's known tasks and resources.
@Suite(.offCooperativePool) struct AgentMetricsTests {
    @Test func metricsParseAndAgreeWithTheSnapshotAndGetMetrics() async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        try await AgentHTTPClient.with(fixture.http(), .socket) { client in
            _ = try await client.get("/health")
            _ = try await client.get("/nowhere/\(UUID())")
            let reply = try await client.get("/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let scrape = try PrometheusScrape.parse(reply.text)

            #expect(scrape.families["corral_agent_tasks_running"] == "gauge")
            #expect(scrape.value("corral_agent_tasks_running") == 1)
            #expect(scrape.value("corral_agent_tasks_starting") == 3)
            #expect(scrape.value("corral_agent_cpus_total") == 4)
            #expect(scrape.value("corral_agent_cpus_used") == 3.1)
            #expect(scrape.value("corral_agent_registered") == 1)
            #expect(scrape.value("corral_agent_pending_status_updates") != nil)
            // Counted by route and code; an unknown path is `other`, never its raw path.
            #expect(scrape.value("corral_http_requests_total", ["endpoint": "/health", "code": "200"]) == 1)
            #expect(scrape.value("corral_http_requests_total", ["endpoint": "other", "code": "404"]) == 1)
            #expect((scrape.value("process_open_fds") ?? 0) > 0)
            #expect((scrape.value("process_resident_memory_bytes") ?? 0) > 1_000_000)

            let snapshot = try await client.get("/metrics/snapshot").object
            let operatorReply = try await client.post("/api/v1", json: #"{"type": "GET_METRICS"}"#)
            let listed = (operatorReply.object["get_metrics"] as? [String: Any])?["metrics"] as? [[String: Any]] ?? []
            let byName = Dictionary(listed.compactMap { item in (item["name"] as? String).map { ($0, item["value"] as? Double) } }) { a, _ in a }
            for key in ["slave/tasks_running", "slave/cpus_total", "slave/cpus_used", "slave/mem_total", "slave/disk_total", "slave/executors_running"] {
                let value = try #require(snapshot[key] as? Double, "\(key) missing from /metrics/snapshot")
                #expect(byName[key] == value, "\(key): GET_METRICS and /metrics/snapshot differ")
                let gauge = "corral_agent_" + (key.split(separator: "/").last.map(String.init) ?? key)
                #expect(scrape.value(gauge) == value, "\(gauge) differs from \(key)")
            }
        }
    }

    /// Two agents in one process (as in the tests) count into their own registries.
    @Test func twoAgentsInOneProcessKeepTheirOwnCounts() async throws {
        let first = try AgentHTTPFixture()
        defer { first.remove() }
        let second = try AgentHTTPFixture()
        defer { second.remove() }
        let (one, other) = (first.http(), second.http())
        try await AgentHTTPClient.with(one, .socket) { client in
            for _ in 0..<3 { _ = try await client.get("/health") }
        }
        let counted = try await AgentHTTPClient.with(one, .socket) { try await $0.get("/metrics") }
        let untouched = try await AgentHTTPClient.with(other, .socket) { try await $0.get("/metrics") }
        #expect(try PrometheusScrape.parse(counted.text).value("corral_http_requests_total", ["endpoint": "/health"]) == 3)
        #expect(try PrometheusScrape.parse(untouched.text).value("corral_http_requests_total", ["endpoint": "/health"]) == nil)
    }
}
