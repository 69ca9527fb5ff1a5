import CorralRaft

/// Writes the Raft log on its own thread with group commit: every batch queued while a
/// write is under way goes into the next single transaction and sync.
final class StorageWriter: Sendable {
    enum Operation: Sendable {
        case write(sequence: UInt64, RaftWriteBatch)
        case compact(through: UInt64)
    }

    private let worker: BatchingWorker<Operation>

    /// `onDurable` is called on the writer's thread with the highest sequence now durable,
    /// or with the error after which nothing more is written.
    init(storage: any RaftLogStorage, onDurable: @escaping @Sendable (Result<UInt64, any Error>) -> Void) {
        worker = BatchingWorker(
            label: "corral.raft.storage",
            process: { operations in
                var batches: [RaftWriteBatch] = []
                var highest: UInt64 = 0
                for operation in operations {
                    switch operation {
                    case .write(let sequence, let batch):
                        batches.append(batch)
                        highest = max(highest, sequence)
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

    func submit(_ operation: Operation) {
        worker.submit(operation)
    }
}
