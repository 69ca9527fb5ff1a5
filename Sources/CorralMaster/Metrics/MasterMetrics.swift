import CorralMetrics
import CorralReplication
import Prometheus

/// One master's metrics: its own `PrometheusCollectorRegistry` (never the process-wide
/// one: tests run several masters in one process), the Raft node's histograms, the HTTP
/// request counters and the allocator's cycle times. Gauges are read when `/metrics` is
/// scraped (`MasterHTTP+Metrics`), so nothing on the Raft hot path keeps them.
final class MasterMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let raft: RaftMetrics
    let requests: RequestMetrics
    /// One allocation cycle of the leader's allocator.
    let allocationCycle: DurationHistogram

    init() {
        raft = RaftMetrics(registry: registry)
        requests = RequestMetrics(registry: registry)
        allocationCycle = registry.makeDurationHistogram(
            descriptor: .named("corral_master_allocation_cycle_duration_seconds", "Time one allocation cycle of the leader took."),
            buckets: LatencyHistogram.defaultBounds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) })
    }
}
