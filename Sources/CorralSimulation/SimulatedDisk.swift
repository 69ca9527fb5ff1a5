import CorralRaft

/// One node's simulated disk: a durable copy of what the node stored, and a FIFO of writes
/// that become durable one after another when their sync completes.
///
/// A crash throws away every pending write; only `durable` survives.
package struct SimulatedDisk {
    /// One write the shell issued (`RaftStorageWrite`): a batch, applied as
    /// `RaftLogStorage.write` does (snapshot, then entries, then hard state), or a compaction.
    package typealias Write = RaftStorageWrite.Operation

    package struct Pending {
        package var sequence: UInt64
        package var write: Write
        package var completesAt: UInt64
        package var fails: Bool
    }

    package private(set) var durable: RaftPersistentState
    private var pending: [Pending] = []
    private var pendingHead = 0
    private var lastCompletion: UInt64 = 0

    package init(_ durable: RaftPersistentState) {
        self.durable = durable
    }

    var hasPendingWrites: Bool { pendingHead < pending.count }

    /// Queues a write that completes `delayMicros` from `now`, but never before an earlier one.
    package mutating func submit(_ write: RaftStorageWrite, now: UInt64, delayMicros: UInt64, fails: Bool) -> Pending {
        let completesAt = max(now + delayMicros, lastCompletion)
        lastCompletion = completesAt
        let entry = Pending(sequence: write.sequence, write: write.operation, completesAt: completesAt, fails: fails)
        pending.append(entry)
        return entry
    }

    /// The oldest pending write, if it is `sequence` (nil when the event is stale).
    package func oldestPending(sequence: UInt64) -> Pending? {
        guard pendingHead < pending.count, pending[pendingHead].sequence == sequence else { return nil }
        return pending[pendingHead]
    }

    /// Completes the oldest pending write if it is `sequence`; returns it, or nil when it is
    /// stale (from before a crash). A problem with the write itself is returned as `error`.
    package mutating func complete(sequence: UInt64) -> (write: Write, error: String?)? {
        guard pendingHead < pending.count, pending[pendingHead].sequence == sequence else { return nil }
        let write = pending[pendingHead].write
        pendingHead += 1
        if pendingHead > 64, pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        return (write, apply(write))
    }

    /// Loses every write that is not durable yet.
    package mutating func crash() {
        pending.removeAll()
        pendingHead = 0
        lastCompletion = 0
    }

    /// Replaces everything with an empty disk (a node removed and wiped before rejoining).
    mutating func wipe() {
        crash()
        durable = RaftPersistentState()
    }

    /// Loses the stored entries from `index` on, keeping the hard state (a damaged log file).
    mutating func damageLog(from index: UInt64) {
        durable.entries.removeAll { $0.index >= index }
    }

    // MARK: - Applying a write to the durable copy

    private mutating func apply(_ write: Write) -> String? {
        switch write {
        case .batch(let batch):
            if let snapshot = batch.snapshot {
                let meta = snapshot.metadata
                if !durable.entries.contains(where: { $0.index == meta.index && $0.term == meta.term }) {
                    durable.entries.removeAll()
                }
                durable.snapshot = snapshot
            }
            if let error = append(batch.entries) { return error }
            if let hardState = batch.hardState { durable.hardState = hardState }
        case .compact(let index):
            let covered = min(index, durable.snapshot?.metadata.index ?? 0)
            durable.entries.removeAll { $0.index <= covered }
        }
        return nil
    }

    private mutating func append(_ entries: [Entry]) -> String? {
        guard let first = entries.first else { return nil }
        for (offset, entry) in entries.enumerated() where entry.index != first.index + UInt64(offset) {
            return "persistEntries: entries not contiguous at index \(entry.index)"
        }
        let snapshotIndex = durable.snapshot?.metadata.index ?? 0
        let nextIndex = max(durable.entries.last.map { $0.index + 1 } ?? 0, snapshotIndex + 1)
        guard first.index <= nextIndex else {
            return "persistEntries: first index \(first.index) leaves a gap after \(nextIndex - 1)"
        }
        if let base = durable.entries.first?.index, first.index >= base {
            durable.entries.removeSubrange(Int(first.index - base)...)
        } else {
            durable.entries.removeAll()
        }
        durable.entries.append(contentsOf: entries)
        return nil
    }
}
