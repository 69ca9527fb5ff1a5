@testable import CorralChaos
import CorralHistory
import Testing

/// `report.html` is one page that needs nothing from a network and shows the run: faults,
/// leaders by term, throughput and latency, and the violations.
@Suite struct ReportPageTests {
    static let second: UInt64 = 1_000_000_000

    static func page(violations: [String]) -> String {
        let operations = (0..<20).map { index in
            ClientOperation(
                process: index % 3, kind: index % 2 == 0 ? .write : .read, key: "r0", value: "\(index)", outcome: .ok,
                invokeNanos: UInt64(index) * second / 4, completeNanos: UInt64(index) * second / 4 + 20_000_000)
        }
        let kill = FaultRecord(
            planned: PlannedFault(step: 0, repetition: 0, kind: .kill, target: .leader, atSeconds: 1, healAfterSeconds: 1, picks: []),
            targets: [1], leaderBefore: 1, termBefore: 2, injectedNanos: 2 * second, healedNanos: 3 * second, members: 3)
        let views = [
            LeaderView(nanos: 0, master: 1, role: "leader", term: 2, leader: 1, commitIndex: 1, appliedIndex: 1),
            LeaderView(nanos: second, master: 1, role: "leader", term: 2, leader: 1, commitIndex: 4, appliedIndex: 4),
            LeaderView(nanos: 2 * second, master: 2, role: "follower", term: 2, leader: 1, commitIndex: 4, appliedIndex: 4),
            LeaderView(nanos: 5 * second / 2, master: 2, role: "leader", term: 3, leader: 2, commitIndex: 6, appliedIndex: 6),
        ]
        var summary = ChaosSummary(
            scenario: "test-page", seed: 42, masters: 3, network: "loopback", reportDirectory: "/nowhere", failoverTargetSeconds: 1)
        summary.violations = violations
        return ReportPage(scenario: "test-page", seed: 42, history: History(operations), records: [kill], views: views, summary: summary)
            .render()
    }

    @Test func thePageDrawsTheFaultsTheLeadersAndTheWorkload() {
        let html = Self.page(violations: [])
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("test-page, seed 42: passed"))
        #expect(html.contains("--seed 42"), "it says how to replay the run")
        #expect(html.contains("<svg"))
        #expect(html.contains("kill m1: 2.00–3.00 s"), "the fault's band")
        #expect(html.contains("m1 leader in term 2, 0.00–2.00 s"), "m1's leadership, until it was killed")
        #expect(html.contains("m2 leader in term 3, 2.50–4.77 s"), "m2's leadership after the fail-over, to the end")
        #expect(html.contains("<polyline"), "the throughput and latency charts")
    }

    @Test func violationsAreShownEscaped() {
        let html = Self.page(violations: ["not linearizable: read <r0> saw \"3\" & lost 4"])
        #expect(html.contains("FAILED: 1 violation(s)"))
        #expect(html.contains("not linearizable: read &lt;r0&gt; saw &quot;3&quot; &amp; lost 4"))
    }

    @Test func thePageFetchesNothing() {
        let html = Self.page(violations: [])
        for reference in ["<script", "src=", "href=", "@import", "url("] {
            #expect(!html.contains(reference), "the page refers to something outside it: \(reference)")
        }
        // The only URL is the SVG namespace, which names and fetches nothing.
        #expect(html.components(separatedBy: "http").count == 2)
    }
}
