import Prometheus

/// Counts a node's HTTP requests by endpoint and status code, and its API calls by type,
/// in the node's own `PrometheusCollectorRegistry` (never the process-wide one, so two
/// nodes in one process keep separate figures).
public struct RequestMetrics: Sendable {
    /// Where the counters live.
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Counts one answered request: `endpoint` is the route (a pattern, never a raw path, so
    /// the label's values stay few), `code` the status code.
    public func request(endpoint: String, code: Int) {
        registry.makeCounter(
            descriptor: .named("corral_http_requests_total", "HTTP requests answered, by endpoint and status code."),
            labels: [("endpoint", endpoint), ("code", String(code))]
        ).increment()
    }

    /// Counts one call of an HTTP API: `api` is `operator`, `scheduler`, `agent` or
    /// `executor`, `call` the call's type (`GET_STATE`, `SUBSCRIBE`, …).
    public func call(api: String, type: String) {
        registry.makeCounter(
            descriptor: .named("corral_api_calls_total", "API calls received, by API and call type."),
            labels: [("api", api), ("call", type)]
        ).increment()
    }
}

extension MetricNameDescriptor {
    /// A metric's whole name (unit suffix included, as in `corral_raft_fsync_duration_seconds`)
    /// and its help text.
    public static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
