import CorralRaft
import Dispatch
import Synchronization

/// Writes the Raft log on its own thread with group commit: every batch queued while a
/// write is under way goes into the next single transaction and sync.
final class StorageWriter: Sendable {
    enum Operation: Sendable {
        case write(sequence: UInt64, RaftWriteBatch)
        case compact(through: UInt64)
    }

    private struct Queue {
        var operations: [Operation] = []
        var running = false
        var failed = false
    }

    private let storage: any RaftLogStorage
    private let queue = DispatchQueue(label: "corral.raft.storage")
    private let pending = Mutex(Queue())
    /// Called on the writer's thread with the highest sequence now durable, or the error
    /// after which nothing more is written.
    private let onDurable: @Sendable (Result<UInt64, any Error>) -> Void

    init(storage: any RaftLogStorage, onDurable: @escaping @Sendable (Result<UInt64, any Error>) -> Void) {
        self.storage = storage
        self.onDurable = onDurable
    }

    func submit(_ operation: Operation) {
        let start = pending.withLock { queue -> Bool in
            guard !queue.failed else { return false }
            queue.operations.append(operation)
            if queue.running { return false }
            queue.running = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let operations = pending.withLock { queue -> [Operation] in
                let taken = queue.operations
                queue.operations = []
                if taken.isEmpty { queue.running = false }
                return taken
            }
            if operations.isEmpty { return }
            do {
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
            } catch {
                pending.withLock { queue in
                    queue.failed = true
                    queue.operations = []
                    queue.running = false
                }
                onDurable(.failure(error))
                return
            }
        }
    }
}
