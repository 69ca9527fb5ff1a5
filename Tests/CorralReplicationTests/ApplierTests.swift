import CorralRaft
import CorralTestSupport
import Synchronization
import Testing

@testable import CorralReplication

/// The applier bounds each state-machine write, so one huge commit (a follower catching up)
/// does not become one huge LMDB transaction.
struct ApplierTests {
    static func entries(_ count: Int, commandBytes: Int) -> [Entry] {
        (1...UInt64(count)).map { Entry(term: 1, index: $0, payload: .command([UInt8](repeating: 7, count: commandBytes))) }
    }

    @Test func aLargeCommitIsAppliedInBoundedBatches() async throws {
        let machine = RecordingStateMachineDouble()
        let reported = Mutex<UInt64>(0)
        let applier = Applier(machine: machine, maxBatchEntries: 100, maxBatchBytes: 1 << 20) { outcome in
            if case .applied(let index) = outcome { reported.withLock { $0 = max($0, index) } }
        }
        applier.submit(.entries(Self.entries(1_000, commandBytes: 8)))
        // Polled off the cooperative pool, which the suite's synchronous real-process tests may hold.
        try await offCooperativePool {
            try await eventually("every entry applied", seconds: 10) { reported.withLock { $0 } == 1_000 }
        }
        let sizes = machine.batches.map(\.count)
        #expect(sizes.reduce(0, +) == 1_000)
        #expect(sizes.allSatisfy { $0 <= 100 }, "batch sizes \(sizes)")
    }

    @Test func aBatchStaysUnderTheByteLimitButTakesAtLeastOneEntry() async throws {
        let machine = RecordingStateMachineDouble()
        let reported = Mutex<UInt64>(0)
        let applier = Applier(machine: machine, maxBatchEntries: 10_000, maxBatchBytes: 64 << 10) { outcome in
            if case .applied(let index) = outcome { reported.withLock { $0 = max($0, index) } }
        }
        applier.submit(.entries(Self.entries(40, commandBytes: 10 << 10)))
        applier.submit(.entries([Entry(term: 1, index: 41, payload: .command([UInt8](repeating: 1, count: 100 << 10)))]))
        try await offCooperativePool {
            try await eventually("every entry applied", seconds: 10) { reported.withLock { $0 } == 41 }
        }
        for batch in machine.batches {
            let bytes = batch.map(\.sizeBytes).reduce(0, +)
            #expect(batch.count == 1 || bytes <= 64 << 10, "a batch of \(batch.count) entries, \(bytes) bytes")
        }
        #expect(machine.batches.flatMap { $0 }.map(\.index) == Array(1...41))
    }

    @Test func changesKeptInMemoryAreStoredOneIntervalLaterWithoutFurtherWork() async throws {
        let machine = RecordingStateMachineDouble(storeInterval: .milliseconds(20))
        let applier = Applier(machine: machine, maxBatchEntries: 100, maxBatchBytes: 1 << 20) { _ in }
        applier.submit(.entries(Self.entries(3, commandBytes: 8)))
        try await offCooperativePool {
            try await eventually("the applied batch stored by the timer", seconds: 10) { machine.stores >= 1 }
        }
        #expect(machine.batches.count >= 1)
    }

    @Test func withoutAnIntervalTheApplierNeverCallsStore() async throws {
        let machine = RecordingStateMachineDouble()
        let reported = Mutex<UInt64>(0)
        let applier = Applier(machine: machine, maxBatchEntries: 100, maxBatchBytes: 1 << 20) { outcome in
            if case .applied(let index) = outcome { reported.withLock { $0 = max($0, index) } }
        }
        applier.submit(.entries(Self.entries(3, commandBytes: 8)))
        try await offCooperativePool {
            try await eventually("every entry applied", seconds: 10) { reported.withLock { $0 } == 3 }
        }
        applier.submit(.syncPoint)
        #expect(machine.stores == 0)
    }
}
