import CorralRaft
import Dispatch
import Synchronization

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

    private let machine: any ReplicatedStateMachine
    private let queue = DispatchQueue(label: "corral.raft.apply")
    private let pending = Mutex<(work: [Work], running: Bool, failed: Bool)>(([], false, false))
    private let report: @Sendable (Outcome) -> Void

    init(machine: any ReplicatedStateMachine, report: @escaping @Sendable (Outcome) -> Void) {
        self.machine = machine
        self.report = report
    }

    func submit(_ work: Work) {
        let start = pending.withLock { state -> Bool in
            guard !state.failed else { return false }
            state.work.append(work)
            if state.running { return false }
            state.running = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let work = pending.withLock { state -> [Work] in
                let taken = state.work
                state.work = []
                if taken.isEmpty { state.running = false }
                return taken
            }
            if work.isEmpty { return }
            do {
                var entries: [Entry] = []
                for item in work {
                    switch item {
                    case .entries(let batch):
                        entries.append(contentsOf: batch)
                    case .snapshot(let snapshot):
                        try flush(&entries)
                        try machine.restore(snapshot)
                        report(.restored(index: snapshot.metadata.index))
                    case .takeSnapshot:
                        try flush(&entries)
                        let taken = try machine.snapshot()
                        report(.snapshotTaken(index: taken.index, data: taken.data))
                    case .syncPoint:
                        try flush(&entries)
                        try machine.sync()
                        report(.snapshotTaken(index: try machine.appliedIndex(), data: []))
                    }
                }
                try flush(&entries)
            } catch {
                pending.withLock { $0 = ([], false, true) }
                report(.failed("\(error)"))
                return
            }
        }
    }

    private func flush(_ entries: inout [Entry]) throws {
        guard let last = entries.last else { return }
        let results = try machine.apply(entries)
        var terms: [UInt64: UInt64] = [:]
        for entry in entries { terms[entry.index] = entry.term }
        report(.applied(index: last.index, terms: terms, results: results))
        entries = []
    }
}
