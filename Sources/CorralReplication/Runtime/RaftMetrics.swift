import CorralMetrics
import Prometheus

/// What a running Raft node measures off its own actor, for `/metrics`: the log's group
/// commits (timed on the storage thread) and snapshots (timed on the apply thread). Each is
/// recorded once per group commit or snapshot, never per entry. The actor's own figures
/// (proposals, leader changes, commit latency) are `RaftCounters`; gauges (term, role,
/// indexes, follower lag) are read from `RaftStatus` when scraped.
///
/// A node given no `RaftMetrics` (`corral master --no-metrics`) measures nothing at all.
public final class RaftMetrics: Sendable {
    /// Staging one group commit's entries in the log's write transaction.
    let append: DurationHistogram
    /// Committing that transaction, which syncs it to disk (LMDB fsyncs on commit).
    let sync: DurationHistogram
    /// Entries written to the log.
    let entriesWritten: Counter
    let snapshotTake: DurationHistogram
    let snapshotRestore: DurationHistogram
    let snapshotBytes: ValueHistogram

    /// Registers the node's histograms and counters in `registry` (one registry per node).
    public init(registry: PrometheusCollectorRegistry) {
        let durations: [Duration] = LatencyHistogram.defaultBounds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
        func timer(_ name: String, _ help: String) -> DurationHistogram {
            registry.makeDurationHistogram(descriptor: .named(name, help), buckets: durations)
        }
        append = timer(
            "corral_raft_log_append_duration_seconds", "Time to stage one group commit's entries in the Raft log's write transaction.")
        sync = timer(
            "corral_raft_fsync_duration_seconds", "Time to commit one group commit of the Raft log to disk (LMDB syncs on commit).")
        entriesWritten = registry.makeCounter(
            descriptor: .named("corral_raft_log_entries_written_total", "Entries written to this node's Raft log."))
        snapshotTake = timer(
            "corral_raft_snapshot_take_duration_seconds", "Time to take a state snapshot for a follower that needs one.")
        snapshotRestore = timer(
            "corral_raft_snapshot_restore_duration_seconds", "Time to restore the state machine from a received snapshot.")
        snapshotBytes = registry.makeValueHistogram(
            descriptor: .named("corral_raft_snapshot_bytes", "Sizes of the snapshots taken and restored, in bytes."),
            buckets: [0x1p10, 0x1p14, 0x1p17, 0x1p20, 0x1p23, 0x1p26, 0x1p29])
    }
}

/// The figures a Raft server keeps in its own actor: plain fields, no lock, no allocation
/// per entry (proposals are counted per batch; each answered proposal's latency is one
/// bucket increment).
public struct RaftCounters: Sendable, Hashable {
    /// Commands proposed on this node.
    public internal(set) var proposals: UInt64 = 0
    /// Times this node saw the leader change (including to "no leader known").
    public internal(set) var leaderChanges: UInt64 = 0
    /// Elections this node started as a candidate.
    public internal(set) var campaigns: UInt64 = 0
    /// From a proposal's arrival to its successful answer (committed and applied here).
    public internal(set) var commitLatency = LatencyHistogram()
}

/// What `/metrics` reads from a Raft server in one turn.
public struct RaftMetricsSample: Sendable {
    public var status: RaftStatus
    public var counters: RaftCounters
}
