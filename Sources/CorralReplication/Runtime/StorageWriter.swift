import CorralRaft

/// Writes the Raft log on its own thread with group commit: every batch queued while a
/// write is under way goes into the next single transaction and sync.
final class StorageWriter: RaftStorageQueue, Sendable {
    private let worker: BatchingWorker<RaftStorageWrite>

    /// `onDurable` is called on the writer's thread with the highest sequence now durable
    /// (compactions count: they are ordered with the writes),
    /// or with the error after which nothing more is written.
    init(storage: any RaftLogStorage, onDurable: @escaping @Sendable (Result<UInt64, any Error>) -> Void) {
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
                        try storage.write(group: batches)
                        batches = []
                        try storage.compact(through: index)
                    }
                }
                try storage.write(group: batches)
                if highest > 0 { onDurable(.success(highest)) }
            },
            failed: { onDurable(.failure($0)) }
        )
    }

    func submit(_ write: RaftStorageWrite) {
        worker.submit(write)
    }
}
