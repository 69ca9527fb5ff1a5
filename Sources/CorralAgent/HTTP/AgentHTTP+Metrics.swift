import CorralMetrics
import Foundation
import Prometheus

/// One agent's metrics: its own registry (never the process-wide one: tests run agents and
/// masters in one process) with the HTTP request counters. Gauges are read from the
/// agent's view when `/metrics` is scraped, from the same figures as `/metrics/snapshot`.
public final class AgentMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let requests: RequestMetrics
    private let launchRunning: DurationHistogram
    private let launchFailed: DurationHistogram

    public init() {
        requests = RequestMetrics(registry: registry)
        let buckets = LatencyHistogram.defaultBounds.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        let name = MetricNameDescriptor.named(
            "corral_agent_task_launch_duration_seconds",
            "From the launch of a task to its container running (outcome=running) or the launch failing (outcome=failed).")
        launchRunning = registry.makeDurationHistogram(descriptor: name, labels: [("outcome", "running")], buckets: buckets)
        launchFailed = registry.makeDurationHistogram(descriptor: name, labels: [("outcome", "failed")], buckets: buckets)
    }

    /// Records one task launch that took `duration` and ended with its container running or not.
    func launched(after duration: Duration, running: Bool) {
        (running ? launchRunning : launchFailed).record(duration)
    }
}

extension AgentHTTP {
    /// `GET /metrics`: the registry's counters, then every `/metrics/snapshot` figure as a
    /// gauge (`slave/tasks_running` is `corral_agent_tasks_running`), then process figures.
    func prometheus() async -> AgentHTTPResponse {
        var text = MetricsText()
        text.append(exposition: metrics.registry.emitToString())
        for (name, value) in AgentOperatorViews.metrics(await view(), now: Date()) {
            let plain = name.split(separator: "/").last.map(String.init) ?? name
            text.gauge("corral_agent_" + plain, "The agent's \(name), as in /metrics/snapshot.", value)
        }
        ProcessFigures.read().write(to: &text)
        return AgentHTTPResponse(headers: ["Content-Type": MetricsText.contentType], body: .bytes(Array(text.text.utf8)))
    }

    /// Counts an answered request by route (unknown paths as `other`) and status code.
    func count(_ request: AgentHTTPRequest, _ response: AgentHTTPResponse) {
        let endpoint = response.status == 404 || request.path.count > 64 ? "other" : request.path
        metrics.requests.request(endpoint: endpoint, code: response.status)
    }
}
