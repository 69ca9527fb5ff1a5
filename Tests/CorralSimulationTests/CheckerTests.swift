import CorralRaft
import CorralSimulation
import Testing

/// The checkers, fed synthetic histories: good ones pass, bad ones are reported.
@Suite struct CheckerTests {
    private func entry(_ index: UInt64, _ term: UInt64, _ byte: UInt8 = 0) -> Entry {
        Entry(term: term, index: index, payload: .command([byte]))
    }

    @Test func twoLeadersInOneTermAreReported() {
        var checker = InvariantChecker()
        checker.observeLeader(1, term: 3)
        checker.observeLeader(1, term: 3)
        checker.observeLeader(2, term: 4)
        #expect(checker.violations.isEmpty)
        checker.advance(step: 17, timeMicros: 1_000)
        checker.observeLeader(3, term: 3)
        #expect(checker.violations.map(\.rule) == [.electionSafety])
        #expect(checker.violations.first?.step == 17)
    }

    @Test func divergentLogsAreReported() {
        var checker = InvariantChecker()
        checker.observeLogEntry(1, entry: entry(1, 1, 7), previousTerm: 0)
        checker.observeLogEntry(2, entry: entry(1, 1, 7), previousTerm: 0)
        #expect(checker.violations.isEmpty)
        checker.observeLogEntry(3, entry: entry(1, 1, 8), previousTerm: 0)
        #expect(checker.violations.map(\.rule) == [.logMatching])
        checker.observeLogEntry(1, entry: entry(5, 2), previousTerm: 1)
        checker.observeLogEntry(2, entry: entry(5, 2), previousTerm: 2)
        #expect(checker.violations.map(\.rule) == [.logMatching, .logMatching])
    }

    @Test func conflictingCommitsAreReported() {
        var checker = InvariantChecker()
        checker.observeCommit(1, term: 1, from: 0, to: 2, termAt: { _ in 1 })
        checker.observeCommit(2, term: 2, from: 0, to: 2, termAt: { _ in 1 })
        #expect(checker.violations.isEmpty)
        checker.observeCommit(3, term: 2, from: 1, to: 2, termAt: { _ in 2 })
        #expect(checker.violations.map(\.rule) == [.commitSafety])
    }

    @Test func leaderWithoutACommittedEntryIsReported() {
        var checker = InvariantChecker()
        checker.observeCommit(1, term: 2, from: 0, to: 4, termAt: { _ in 2 })
        checker.observeBecameLeader(2, term: 3, snapshotIndex: 0, termAt: { _ in 2 })
        checker.observeBecameLeader(3, term: 4, snapshotIndex: 4, termAt: { _ in nil })
        // A leader of the commit's own term or an older one, elected late on delayed votes.
        checker.observeBecameLeader(5, term: 2, snapshotIndex: 0, termAt: { _ in nil })
        checker.observeBecameLeader(6, term: 1, snapshotIndex: 0, termAt: { _ in nil })
        #expect(checker.violations.isEmpty)
        checker.observeBecameLeader(4, term: 5, snapshotIndex: 0, termAt: { $0 < 4 ? 2 : nil })
        #expect(checker.violations.map(\.rule) == [.leaderCompleteness])
    }

    @Test func divergentAppliedPrefixIsReported() {
        var checker = InvariantChecker()
        checker.observeApply(1, index: 1, entryHash: 10, chain: 100)
        checker.observeApply(2, index: 1, entryHash: 10, chain: 100)
        checker.observeSnapshotApplied(3, index: 1, chain: 100)
        #expect(checker.violations.isEmpty)
        checker.observeApply(3, index: 2, entryHash: 20, chain: 200)
        checker.observeApply(1, index: 2, entryHash: 21, chain: 201)
        #expect(checker.violations.map(\.rule) == [.appliedPrefix, .appliedPrefix])
        checker.observeSnapshotApplied(2, index: 2, chain: 999)
        #expect(checker.violations.count == 3)
    }

    @Test func lostAcknowledgementIsReported() {
        var checker = InvariantChecker()
        checker.observeApply(1, index: 1, entryHash: 10, chain: 100)
        checker.observeAck(command: 42, index: 1, entryHash: 10)
        checker.checkFinal(liveNodes: [(1, 1, 100), (2, 1, 100)])
        #expect(checker.violations.isEmpty)
        checker.checkFinal(liveNodes: [(3, 0, 0)])
        #expect(checker.violations.map(\.rule) == [.lostAcknowledgement])

        var other = InvariantChecker()
        other.observeApply(1, index: 1, entryHash: 11, chain: 101)
        other.observeAck(command: 7, index: 1, entryHash: 10)
        other.checkFinal(liveNodes: [(1, 1, 101)])
        #expect(other.violations.map(\.rule) == [.lostAcknowledgement])
    }

    @Test func staleReadIsReported() {
        var checker = InvariantChecker()
        checker.observeApply(1, index: 5, entryHash: 1, chain: 1)
        checker.observeAck(command: 1, index: 5, entryHash: 1)
        checker.observeReadIssued(100)
        checker.observeReadIssued(101)
        checker.observeReadReady(100, index: 5, node: 1)
        #expect(checker.violations.isEmpty)
        checker.observeReadReady(101, index: 4, node: 2)
        #expect(checker.violations.map(\.rule) == [.linearizableRead])
    }
}
