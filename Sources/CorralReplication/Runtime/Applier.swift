import CorralRaft
import Dispatch
import Synchronization

/// Applies committed entries to the state machine on its own thread, in order, batching
/// whatever queued up while the previous apply was under way, at most `maxBatchEntries`
/// entries and about `maxBatchBytes` bytes in one state-machine write (one entry always goes).
final class Applier: Sendable {
    enum Work: Sendable {
        case entries([Entry])
        case snapshot(Snapshot)
        /// The whole state, for a follower that needs a snapshot.
        case takeSnapshot
        /// Make the applied state durable and report its index: a compaction point, whose
        /// snapshot carries metadata only (the data stays in the state machine).
        case syncPoint
        /// Write what the state machine kept in memory to its store (`storeInterval` passed).
        case store
    }

    enum Outcome: Sendable {
        /// The outcome of a batch is known: the results of its commands by index, with the
        /// term of each entry so proposals can be matched. It may come before the batch is in
        /// the state's store; `.applied` follows once it is.
        case decided(terms: [UInt64: UInt64], results: [UInt64: [UInt8]])
        /// Entries up to `index` are in the state's store: reads may see them.
        case applied(index: UInt64)
        case restored(index: UInt64)
        case snapshotTaken(index: UInt64, data: [UInt8])
        case failed(String)
    }

    private let worker: BatchingWorker<Work>

    init(
        machine: any ReplicatedStateMachine, maxBatchEntries: Int, maxBatchBytes: Int, metrics: RaftMetrics? = nil,
        report: @escaping @Sendable (Outcome) -> Void
    ) {
        let schedule = StoreSchedule(interval: machine.storeInterval)
        worker = BatchingWorker(
            label: "corral.raft.apply",
            process: { work in
                var pending = Pending()
                for item in work {
                    switch item {
                    case .entries(let batch):
                        for entry in batch {
                            if !pending.entries.isEmpty
                                && (pending.entries.count >= maxBatchEntries || pending.bytes + entry.sizeBytes > maxBatchBytes)
                            {
                                try Self.flush(&pending, machine, report)
                            }
                            pending.entries.append(entry)
                            pending.bytes += entry.sizeBytes
                        }
                    case .snapshot(let snapshot):
                        try Self.flush(&pending, machine, report)
                        let started = ContinuousClock.now
                        try machine.restore(snapshot)
                        if let metrics {
                            metrics.snapshotRestore.record(.now - started)
                            metrics.snapshotBytes.record(Double(snapshot.data.count))
                        }
                        report(.restored(index: snapshot.metadata.index))
                    case .takeSnapshot:
                        try Self.flush(&pending, machine, report)
                        let started = ContinuousClock.now
                        let taken = try machine.snapshot()
                        if let metrics {
                            metrics.snapshotTake.record(.now - started)
                            metrics.snapshotBytes.record(Double(taken.data.count))
                        }
                        report(.snapshotTaken(index: taken.index, data: taken.data))
                    case .syncPoint:
                        try Self.flush(&pending, machine, report)
                        try machine.sync()
                        report(.snapshotTaken(index: try machine.appliedIndex(), data: []))
                    case .store:
                        try Self.flush(&pending, machine, report)
                        schedule.ran()
                        try machine.store()
                    }
                }
                try Self.flush(&pending, machine, report)
                schedule.arm()
            },
            failed: { report(.failed("\($0)")) }
        )
        schedule.attach { [worker] in worker.submit(.store) }
    }

    func submit(_ work: Work) {
        worker.submit(work)
    }

    /// Entries gathered for the next state-machine write.
    private struct Pending {
        var entries: [Entry] = []
        var bytes = 0
    }

    /// Applies the entries gathered so far in one state-machine write and reports them.
    private static func flush(
        _ pending: inout Pending,
        _ machine: any ReplicatedStateMachine,
        _ report: @Sendable (Outcome) -> Void
    ) throws {
        guard let last = pending.entries.last else { return }
        var terms: [UInt64: UInt64] = [:]
        for entry in pending.entries { terms[entry.index] = entry.term }
        try machine.apply(pending.entries) { results in report(.decided(terms: terms, results: results)) }
        report(.applied(index: last.index))
        pending = Pending()
    }
}

/// Schedules one `.store` at a time, `interval` after a batch that may have left changes in
/// the state machine's memory, so they reach its store that much later at the latest.
private final class StoreSchedule: Sendable {
    private struct State {
        var armed = false
        var fire: (@Sendable () -> Void)?
    }

    let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration) { self.interval = interval }

    func attach(_ fire: @escaping @Sendable () -> Void) {
        state.withLock { $0.fire = fire }
    }

    /// Schedules a store `interval` from now unless one is scheduled already.
    func arm() {
        guard interval > .zero else { return }
        let fire = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.armed, let fire = state.fire else { return nil }
            state.armed = true
            return fire
        }
        guard let fire else { return }
        let (seconds, attoseconds) = interval.components
        let nanos = Int(min(seconds, 86_400)) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanos), execute: fire)
    }

    /// The scheduled store is running: the next batch may schedule another.
    func ran() {
        state.withLock { $0.armed = false }
    }
}
