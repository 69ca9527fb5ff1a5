import CorralRaft

/// Applies committed entries to the state machine on its own thread, in order, batching
/// whatever queued up while the previous apply was under way.
final class Applier: Sendable {
    enum Work: Sendable {
        case entries([Entry])
        case snapshot(Snapshot)
        /// The whole state, for a follower that needs a snapshot.
        case takeSnapshot
        /// Make the applied state durable and report its index: a compaction point, whose
        /// snapshot carries metadata only (the data stays in the state machine).
        case syncPoint
    }

    enum Outcome: Sendable {
        /// Entries up to `index` applied; results of the commands among them by index, with
        /// the term of each applied entry so proposals can be matched.
        case applied(index: UInt64, terms: [UInt64: UInt64], results: [UInt64: [UInt8]])
        case restored(index: UInt64)
        case snapshotTaken(index: UInt64, data: [UInt8])
        case failed(String)
    }

    private let worker: BatchingWorker<Work>

    init(machine: any ReplicatedStateMachine, report: @escaping @Sendable (Outcome) -> Void) {
        worker = BatchingWorker(
            label: "corral.raft.apply",
            process: { work in
                var entries: [Entry] = []
                for item in work {
                    switch item {
                    case .entries(let batch):
                        entries.append(contentsOf: batch)
                    case .snapshot(let snapshot):
                        try Self.flush(&entries, machine, report)
                        try machine.restore(snapshot)
                        report(.restored(index: snapshot.metadata.index))
                    case .takeSnapshot:
                        try Self.flush(&entries, machine, report)
                        let taken = try machine.snapshot()
                        report(.snapshotTaken(index: taken.index, data: taken.data))
                    case .syncPoint:
                        try Self.flush(&entries, machine, report)
                        try machine.sync()
                        report(.snapshotTaken(index: try machine.appliedIndex(), data: []))
                    }
                }
                try Self.flush(&entries, machine, report)
            },
            failed: { report(.failed("\($0)")) }
        )
    }

    func submit(_ work: Work) {
        worker.submit(work)
    }

    /// Applies the entries gathered so far in one state-machine write and reports them.
    private static func flush(
        _ entries: inout [Entry],
        _ machine: any ReplicatedStateMachine,
        _ report: @Sendable (Outcome) -> Void
    ) throws {
        guard let last = entries.last else { return }
        let results = try machine.apply(entries)
        var terms: [UInt64: UInt64] = [:]
        for entry in entries { terms[entry.index] = entry.term }
        report(.applied(index: last.index, terms: terms, results: results))
        entries = []
    }
}
