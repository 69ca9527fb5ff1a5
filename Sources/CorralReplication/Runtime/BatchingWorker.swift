import Dispatch
import Synchronization

/// A serial worker on its own dispatch queue that takes everything queued since its last
/// run as one batch. After `process` throws, it stops for good: later work is dropped and
/// `failed` is told once. The storage writer (group commit) and the applier use it.
final class BatchingWorker<Work: Sendable>: Sendable {
    private struct State {
        var work: [Work] = []
        var running = false
        var failed = false
    }

    private let queue: DispatchQueue
    private let state = Mutex(State())
    private let process: @Sendable ([Work]) throws -> Void
    private let failed: @Sendable (any Error) -> Void

    init(
        label: String,
        process: @escaping @Sendable ([Work]) throws -> Void,
        failed: @escaping @Sendable (any Error) -> Void
    ) {
        queue = DispatchQueue(label: label)
        self.process = process
        self.failed = failed
    }

    func submit(_ item: Work) {
        let start = state.withLock { state -> Bool in
            guard !state.failed else { return false }
            state.work.append(item)
            if state.running { return false }
            state.running = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let batch = state.withLock { state -> [Work] in
                let taken = state.work
                state.work = []
                if taken.isEmpty { state.running = false }
                return taken
            }
            if batch.isEmpty { return }
            do {
                try process(batch)
            } catch {
                state.withLock { $0 = State(work: [], running: false, failed: true) }
                failed(error)
                return
            }
        }
    }
}
