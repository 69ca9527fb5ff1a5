import CorralRaft
import Testing

@testable import CorralSimulation

/// The checkers added for durability and elections, fed synthetic histories: good ones
/// pass, bad ones are reported.
@Suite struct DurabilityCheckerTests {
    @Test func aSecondVoteInATermIsReportedAcrossRestarts() {
        var checker = InvariantChecker()
        checker.observeDurableHardState(2, HardState(term: 3, vote: 1, commit: 0))
        checker.observeVote(2, term: 3, for: 1)
        checker.observeVote(2, term: 4, for: 3)
        checker.observeVote(1, term: 3, for: 1)
        #expect(checker.violations.isEmpty)
        // After a restart that lost nothing durable, n2 grants term 3 to someone else.
        checker.observeVote(2, term: 3, for: 3)
        #expect(checker.violations.map(\.rule) == [.oneVotePerTerm])
        // Removed, wiped and added back: a new member with no vote yet.
        checker.forgetDurableState(of: 2)
        checker.observeVote(2, term: 3, for: 3)
        #expect(checker.violations.count == 1)
    }

    @Test func winningATermAgainAfterARestartIsReported() {
        var checker = InvariantChecker()
        checker.observeElected(1, term: 5, incarnation: 0)
        checker.observeElected(1, term: 5, incarnation: 0)
        checker.observeElected(1, term: 6, incarnation: 1)
        #expect(checker.violations.isEmpty)
        checker.observeElected(1, term: 6, incarnation: 2)
        #expect(checker.violations.map(\.rule) == [.electionSafety])
    }

    @Test func durableTermOrCommitGoingBackIsReported() {
        var checker = InvariantChecker()
        checker.observeDurableHardState(1, HardState(term: 4, vote: 2, commit: 10))
        checker.observeStart(1, term: 4, commit: 10)
        checker.observeDurableHardState(1, HardState(term: 5, vote: 0, commit: 12))
        #expect(checker.violations.isEmpty)
        checker.observeStart(1, term: 0, commit: 0)
        #expect(checker.violations.map(\.rule) == [.monotonicState, .monotonicState])
        checker.forgetDurableState(of: 1)
        checker.observeStart(1, term: 0, commit: 0)
        #expect(checker.violations.count == 2)
        checker.observeDurableHardState(2, HardState(term: 3, vote: 0, commit: 7))
        checker.observeDurableHardState(2, HardState(term: 3, vote: 0, commit: 6))
        #expect(checker.violations.count == 3)
    }

    @Test func overwritingAnEntryKnownCommittedIsReported() {
        var checker = InvariantChecker()
        checker.observeCommit(1, term: 2, from: 0, to: 3, termAt: { _ in 2 })
        let stale = [Entry(term: 1, index: 3, payload: .empty), Entry(term: 1, index: 4, payload: .empty)]
        // A node that never knew index 3 committed may still hold a stale entry there.
        checker.observeLogWrite(2, entries: stale, commit: 2)
        checker.observeLogWrite(2, entries: [Entry(term: 2, index: 3, payload: .empty)], commit: 3)
        #expect(checker.violations.isEmpty)
        checker.observeLogWrite(1, entries: stale, commit: 3)
        #expect(checker.violations.map(\.rule) == [.committedTruncated])
    }

    @Test func configurationsWhoseQuorumsNeedNotMeetAreReported() {
        let three: Set<NodeID> = [1, 2, 3]
        #expect(InvariantChecker.quorumsIntersect(three, [1, 2, 3, 4]))
        #expect(InvariantChecker.quorumsIntersect(three, [1, 2]))
        #expect(InvariantChecker.quorumsIntersect([1, 2], [1]))
        #expect(InvariantChecker.quorumsIntersect([1], [1, 2]))
        #expect(!InvariantChecker.quorumsIntersect(three, [1, 4, 5]))
        #expect(!InvariantChecker.quorumsIntersect(three, [3, 4, 5, 6]))
        #expect(!InvariantChecker.quorumsIntersect([1, 2, 3, 4], [1, 2, 5, 6, 7]))
        var checker = InvariantChecker()
        checker.observeConfigChange(1, index: 5, from: Membership(voters: three), to: Membership(voters: [1, 2], learners: [3]))
        #expect(checker.violations.isEmpty)
        checker.observeConfigChange(1, index: 6, from: Membership(voters: three), to: Membership(voters: [1, 4, 5]))
        #expect(checker.violations.map(\.rule) == [.configOverlap])
    }

    @Test func needlessCampaignsAreCountedAndBounded() {
        var checker = InvariantChecker()
        checker.observeNeedlessCampaign(2, term: 3, leader: 1)
        checker.checkNeedlessElections(bound: 1)
        #expect(checker.violations.isEmpty)
        checker.observeNeedlessCampaign(3, term: 4, leader: 1)
        checker.checkNeedlessElections(bound: 1)
        #expect(checker.needlessElections == 2)
        #expect(checker.violations.map(\.rule) == [.needlessElection])
    }
}
