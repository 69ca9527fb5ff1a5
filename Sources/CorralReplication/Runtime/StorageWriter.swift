import CorralRaft

/// Writes the Raft log on its own thread with group commit: every batch queued while a
/// write is under way goes into the next single transaction and sync.
final class StorageWriter: RaftStorageQueue, Sendable {
    private let worker: BatchingWorker<RaftStorageWrite>

    /// `onDurable` is called on the writer's thread with the highest sequence now durable
    /// (compactions count: they are ordered with the writes),
    /// or with the error after which nothing more is written.
    /// With `metrics`, each group commit's append and sync are timed (an LMDB log only) and
    /// its entries counted: once per group commit, never per entry.
    init(
        storage: any RaftLogStorage, metrics: RaftMetrics? = nil,
        onDurable: @escaping @Sendable (Result<UInt64, any Error>) -> Void
    ) {
        let writeGroup: @Sendable ([RaftWriteBatch]) throws -> Void
        if let metrics, let lmdb = storage as? LMDBRaftLogStorage {
            writeGroup = { batches in
                guard let timing = try lmdb.writeTimed(group: batches) else { return }
                metrics.append.record(timing.append)
                metrics.sync.record(timing.sync)
                metrics.entriesWritten.increment(by: Int64(batches.reduce(0) { $0 + $1.entries.count }))
            }
        } else {
            writeGroup = { try storage.write(group: $0) }
        }
        worker = BatchingWorker(
            label: "corral.raft.storage",
            process: { operations in
                var batches: [RaftWriteBatch] = []
                var highest: UInt64 = 0
                for write in operations {
                    highest = max(highest, write.sequence)
                    switch write.operation {
                    case .batch(let batch):
                        batches.append(batch)
                    case .compact(let index):
                        try writeGroup(batches)
                        batches = []
                        try storage.compact(through: index)
                    }
                }
                try writeGroup(batches)
                if highest > 0 { onDurable(.success(highest)) }
            },
            failed: { onDurable(.failure($0)) }
        )
    }

    func submit(_ write: RaftStorageWrite) {
        worker.submit(write)
    }
}
