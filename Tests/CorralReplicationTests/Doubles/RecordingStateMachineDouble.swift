import CorralRaft
import CorralReplication
import Synchronization

/// A test double of a state machine that records the size of every write it is asked for.
final class RecordingStateMachineDouble: ReplicatedStateMachine {
    private struct State {
        var applied: UInt64 = 0
        var batches: [[Entry]] = []
        var stores = 0
    }

    private let state = Mutex(State())
    let storeInterval: Duration

    init(storeInterval: Duration = .zero) { self.storeInterval = storeInterval }

    /// How many times `store()` was called.
    var stores: Int { state.withLock { $0.stores } }

    func store() throws { state.withLock { $0.stores += 1 } }

    /// Every `apply` call's entries, in order.
    var batches: [[Entry]] { state.withLock { $0.batches } }

    func appliedIndex() throws -> UInt64 { state.withLock { $0.applied } }

    func apply(_ entries: [Entry]) throws -> [UInt64: [UInt8]] {
        state.withLock { state in
            state.batches.append(entries)
            state.applied = entries.last?.index ?? state.applied
        }
        return [:]
    }

    func sync() throws {}

    func snapshot() throws -> (index: UInt64, data: [UInt8]) {
        (try appliedIndex(), [1])
    }

    func restore(_ snapshot: Snapshot) throws {
        state.withLock { $0.applied = snapshot.metadata.index }
    }
}
