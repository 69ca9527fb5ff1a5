import CorralHistory
import Foundation

/// `report.html`: one self-contained page (inline SVG and CSS, no script, nothing fetched)
/// that shows a run at a glance: the verdict and its violations, then on one time axis the
/// faults, which master led in which term, and the workload's throughput and latency per
/// second. Times are seconds since the workload started, as in the JSON files beside it.
struct ReportPage {
    var scenario: String
    var seed: UInt64
    var history: History
    var records: [FaultRecord]
    var views: [LeaderView]
    var summary: ChaosSummary

    /// Drawing area: left margin for lane labels, then the time axis.
    private static let width = 1000.0
    private static let left = 90.0
    private static let laneHeight = 22.0
    private static let chartHeight = 80.0

    func render() -> String {
        let end = max(1, endSeconds)
        let masters = Set(views.map(\.master)).union(records.flatMap(\.targets)).sorted()
        var svg = SVGCanvas(width: Self.width, scale: (Self.width - Self.left - 10) / end, left: Self.left)
        var y = 20.0
        svg.axis(y: y, end: end)
        y += 10
        let faultsTop = y
        y += Self.laneHeight
        let lanesTop = y
        for (row, master) in masters.enumerated() {
            svg.label("m\(master)", y: lanesTop + Double(row) * Self.laneHeight + 15)
            for (from, to, term) in leadership(of: master, end: end) {
                svg.bar(from: from, to: to, y: lanesTop + Double(row) * Self.laneHeight + 3, height: Self.laneHeight - 6,
                        fill: Self.color(term: term), title: "m\(master) leader in term \(term), \(Self.seconds(from))–\(Self.seconds(to)) s")
            }
        }
        y = lanesTop + Double(masters.count) * Self.laneHeight + 10
        for record in records {
            let from = Double(record.injectedNanos) / 1e9, to = Double(record.healedNanos) / 1e9
            let hit = record.planned.kind == .clockJump ? record.targets : record.stranded
            let what = "\(record.planned.kind.rawValue) \(hit.map { "m\($0)" }.joined(separator: ","))"
            svg.shade(from: from, to: to, top: faultsTop, bottom: y, title: "\(what): \(Self.seconds(from))–\(Self.seconds(to)) s")
            svg.text(what, x: from, y: faultsTop + 15, anchor: "start", color: "#a00")
        }
        svg.label("faults", y: faultsTop + 15)
        let buckets = perSecond(end: end)
        svg.label("ok ops/s", y: y + Self.chartHeight / 2)
        svg.chart(buckets.map(\.ok), top: y, height: Self.chartHeight, color: "#2a6", unit: "ops/s")
        y += Self.chartHeight + 15
        svg.label("latency", y: y + Self.chartHeight / 2)
        svg.chart(buckets.map(\.maxMillis), top: y, height: Self.chartHeight, color: "#c60", unit: "ms (max)")
        svg.chart(buckets.map(\.medianMillis), top: y, height: Self.chartHeight, color: "#36c", unit: "ms (median)", scaleTo: buckets.map(\.maxMillis).max())
        y += Self.chartHeight + 10
        return page(svg: svg.finish(height: y))
    }

    // MARK: - Data

    private var endSeconds: Double {
        let times = history.operations.compactMap { $0.completeNanos ?? $0.invokeNanos }
            + records.map(\.healedNanos) + views.map(\.nanos)
        return Double(times.max() ?? 0) / 1e9
    }

    /// Spans (seconds) in which `master` said it led, with the term: from each view that says
    /// so to the master's next view, or to a process fault that took it down (killed, stopped
    /// or paused masters answer nothing), or to the end.
    func leadership(of master: UInt64, end: Double) -> [(Double, Double, UInt64)] {
        let mine = views.filter { $0.master == master }.sorted { $0.nanos < $1.nanos }
        let downs = records.filter { $0.partition == nil && $0.targets.contains(master) }.map { Double($0.injectedNanos) / 1e9 }
        var spans: [(Double, Double, UInt64)] = []
        for (index, view) in mine.enumerated() where view.role == "leader" {
            let from = Double(view.nanos) / 1e9
            let next = index + 1 < mine.count ? Double(mine[index + 1].nanos) / 1e9 : end
            let to = min(next, downs.filter { $0 >= from }.min() ?? end)
            if let last = spans.last, last.2 == view.term, abs(last.1 - from) < 1e-9 {
                spans[spans.count - 1].1 = to
            } else {
                spans.append((from, to, view.term))
            }
        }
        return spans
    }

    struct Bucket {
        var ok = 0.0
        var medianMillis = 0.0
        var maxMillis = 0.0
    }

    /// Completed `ok` operations per second of the run, and their latency.
    func perSecond(end: Double) -> [Bucket] {
        var latencies = Array(repeating: [Double](), count: Int(end.rounded(.up)) + 1)
        for operation in history.operations where operation.outcome == .ok {
            guard let complete = operation.completeNanos else { continue }
            let second = min(Int(Double(complete) / 1e9), latencies.count - 1)
            latencies[second].append(Double(complete - min(complete, operation.invokeNanos)) / 1e6)
        }
        return latencies.map { values in
            let sorted = values.sorted()
            return Bucket(ok: Double(sorted.count), medianMillis: sorted.isEmpty ? 0 : sorted[sorted.count / 2], maxMillis: sorted.last ?? 0)
        }
    }

    // MARK: - Page

    private func page(svg: String) -> String {
        let verdict = summary.passed ? "passed" : "FAILED: \(summary.violations.count) violation(s)"
        var body = "<h1>\(Self.escape(scenario)), seed \(seed): \(verdict)</h1>\n"
        body += "<p>Replay: <code>corral-chaos run Chaos/Scenarios/\(Self.escape(scenario)).toml --seed \(seed)</code>. "
        body += "\(summary.operationCount) operations; network: \(Self.escape(summary.network)).</p>\n"
        if !summary.violations.isEmpty {
            body += "<ul class=\"violations\">" + summary.violations.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>\n"
        }
        if !summary.notes.isEmpty {
            body += "<ul class=\"notes\">" + summary.notes.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>\n"
        }
        body += "<p class=\"legend\">Time in seconds since the workload started. Faults are shaded red, from fault to heal; "
        body += "each master's lane shows when it said it led, one colour per term (hover for details); the charts count "
        body += "successful operations per second and their latency.</p>\n"
        body += svg
        body += "\n<p class=\"legend\">The data: history.jsonl, faults.jsonl, leaders.jsonl, summary.json and each process's log, beside this page.</p>\n"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(scenario)) seed \(seed)</title>
            <style>body{font:14px sans-serif;margin:20px;max-width:1040px}h1{font-size:18px}
            .violations li{color:#a00;font-weight:bold}.notes li{color:#850}.legend{color:#555}
            code{background:#eee;padding:1px 4px}svg{border:1px solid #ccc}</style></head>
            <body>
            \(body)</body></html>

            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f", value) }

    /// A colour per term, cycling through a few that tell neighbours apart.
    static func color(term: UInt64) -> String {
        ["#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"][Int(term % 8)]
    }
}
