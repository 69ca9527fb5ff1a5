import CorralHistory
import CorralTestSupport
import Testing

/// Seeded random histories from a sequential register model are always linearizable; one
/// mutation that makes them impossible must always be caught.
@Suite struct RandomHistoryTests {
    static let seeds: [UInt64] = Array(1...150)

    @Test func modelHistoriesAreLinearizableAndEveryMutationIsCaught() {
        let generator = RegisterHistoryGenerator()
        let checker = LinearizabilityChecker()
        var caught: [Mutation: Int] = [:]
        for seed in Self.seeds {
            let history = generator.generate(seed: seed)
            let report = checker.check(history)
            #expect(report.isLinearizable, "seed \(seed): a model history was judged \(report)")
            var rng = SplitMix64(seed: seed ^ 0x5EED)
            for mutation in Mutation.allCases {
                guard let (mutated, key) = mutation.apply(to: history, using: &rng) else { continue }
                let verdict = checker.check(mutated).verdicts[key]
                guard case .violation = verdict else {
                    Issue.record("seed \(seed): mutation \(mutation) on key \(key) was not caught: \(String(describing: verdict))")
                    continue
                }
                caught[mutation, default: 0] += 1
            }
        }
        for mutation in Mutation.allCases {
            #expect(caught[mutation, default: 0] >= Self.seeds.count / 3, "mutation \(mutation) was applicable only \(caught[mutation, default: 0]) times")
        }
    }

    /// Thousands of operations on one key decide within a small, fixed search budget (about
    /// 200 search steps per operation here; the linearizable check takes ~220,000 steps and
    /// finding the stale read ~300,000).
    @Test func thousandsOfOperationsOnOneKeyAreQuick() {
        let generator = RegisterHistoryGenerator(processes: 10, keys: ["hot"], operations: 5_000)
        let history = generator.generate(seed: 42)
        let budget = LinearizabilityChecker(maxSteps: 1_000_000, maxCachedWords: 8 << 20)
        let report = budget.check(history)
        #expect(report.isLinearizable, "\(report)")
        #expect((report.checkedOperations["hot"] ?? 0) > 4_000)
        var rng = SplitMix64(seed: 7)
        if let (stale, key) = Mutation.staleRead.apply(to: history, using: &rng) {
            guard case .violation(let violation) = budget.check(stale).verdicts[key] else {
                Issue.record("a stale read among 5,000 operations was not caught")
                return
            }
            #expect(violation.isMinimalWitness, "\(violation)")
        } else {
            Issue.record("no stale-read mutation applies to a 5,000 operation history")
        }
    }
}

/// A change to a linearizable history that no linearization can explain.
enum Mutation: CaseIterable, Hashable {
    /// A read returns a value nobody wrote.
    case neverWritten
    /// A write that some read saw is recorded as failed (the 503 case).
    case observedWriteFailed
    /// A read returns a value that a later completed write overwrote before the read began.
    case staleRead
    /// A read returns a value whose write began after the read completed.
    case futureRead
    /// A read returns a value older than one an earlier completed read already returned.
    case newThenOld

    func apply(to history: History, using rng: inout SplitMix64) -> (History, String)? {
        var operations = history.operations
        let reads = operations.filter { $0.kind == .read && $0.outcome == .ok }
        let okWrites = operations.filter { $0.kind == .write && $0.outcome == .ok }
        func end(_ operation: ClientOperation) -> UInt64 { operation.completeNanos ?? .max }
        func pick<T>(_ candidates: [T]) -> T? {
            candidates.isEmpty ? nil : candidates[Int.random(in: 0..<candidates.count, using: &rng)]
        }
        switch self {
        case .neverWritten:
            guard let read = pick(reads) else { return nil }
            operations[read.id].value = "never-written"
            return (History(operations), read.key)
        case .observedWriteFailed:
            let seen = okWrites.filter { write in reads.contains { $0.key == write.key && $0.value == write.value } }
            guard let write = pick(seen) else { return nil }
            operations[write.id].outcome = .fail
            return (History(operations), write.key)
        case .staleRead:
            // read R, writes W1 then W2 (W1 ends before W2 begins, W2 ends before R begins).
            let candidates = reads.compactMap { read -> (ClientOperation, ClientOperation)? in
                let before = okWrites.filter { $0.key == read.key && end($0) < read.invokeNanos }
                guard let newer = before.last else { return nil }
                guard let older = before.last(where: { end($0) < newer.invokeNanos }) else { return nil }
                return (read, older)
            }
            guard let (read, older) = pick(candidates) else { return nil }
            operations[read.id].value = older.value
            return (History(operations), read.key)
        case .futureRead:
            let candidates = reads.compactMap { read -> (ClientOperation, ClientOperation)? in
                let later = operations.filter { $0.kind == .write && $0.outcome != .fail && $0.key == read.key && $0.invokeNanos > end(read) }
                return later.first.map { (read, $0) }
            }
            guard let (read, write) = pick(candidates) else { return nil }
            operations[read.id].value = write.value
            return (History(operations), read.key)
        case .newThenOld:
            // R1 returned W1's value; R2 begins after R1 ends; W0 ended before W1 began.
            let candidates = reads.compactMap { second -> (ClientOperation, ClientOperation)? in
                guard let first = reads.last(where: { $0.key == second.key && end($0) < second.invokeNanos }),
                    let newer = okWrites.first(where: { $0.key == first.key && $0.value == first.value }),
                    let older = okWrites.last(where: { $0.key == first.key && end($0) < newer.invokeNanos })
                else { return nil }
                return (second, older)
            }
            guard let (read, older) = pick(candidates) else { return nil }
            operations[read.id].value = older.value
            return (History(operations), read.key)
        }
    }
}
