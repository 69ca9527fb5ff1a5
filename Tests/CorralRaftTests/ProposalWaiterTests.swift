import CorralTestSupport
import Testing

@testable import CorralRaft

/// Proposals are answered from the log: applied in their term, superseded by another
/// leader's entry, or unknown once a deposed leader's wait is over.
@Suite struct ProposalWaiterTests {
    let io = ShellIODouble()

    static func node(committed entries: UInt64 = 0, term: UInt64 = 2) throws -> RaftNode {
        let log = (0..<entries).map { Entry(term: term, index: $0 + 1, payload: .empty) }
        var state = RaftPersistentState.bootstrap(voters: [1, 2, 3])
        state.entries = log
        state.hardState = HardState(term: term, vote: 0, commit: entries)
        return try RaftNode(config: RaftConfig(id: 1), state: state)
    }

    @Test func aProposalIsAnsweredWhenItsEntryIsAppliedInItsTerm() {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 5)
        _ = interpreter.carryOut([.proposalAccepted(id: 7, index: 5, term: 2)], storage: io)
        #expect(interpreter.waitingProposals == 1)
        #expect(interpreter.decided(index: 4, term: 2).isEmpty)
        #expect(interpreter.decided(index: 5, term: 2, result: [1]) == [.applied(id: 7, index: 5, result: [1])])
        #expect(interpreter.waitingProposals == 0)
    }

    @Test func anotherLeadersEntryAtItsIndexMeansNotApplied() {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 5)
        _ = interpreter.carryOut([.proposalAccepted(id: 7, index: 5, term: 2)], storage: io)
        #expect(interpreter.decided(terms: [4: 3, 5: 3], results: [:]) == [.superseded(id: 7, index: 5, term: 2, committedTerm: 3)])
    }

    @Test func aRefusedProposalIsHandedOverAsRejected() {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 5)
        let work = interpreter.carryOut([.proposalRejected(id: 3, reason: .notLeader(leader: 2))], storage: io)
        #expect(work.handOffs == [.proposal(.rejected(id: 3, reason: .notLeader(leader: 2)))])
    }

    @Test func aDeposedLeadersProposalFailsAsUnknownOnceItsWaitIsOver() throws {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 5)
        let node = try Self.node(committed: 0)
        _ = interpreter.carryOut([.proposalAccepted(id: 7, index: 5, term: 2)], storage: io)
        for _ in 0..<10 { #expect(interpreter.tick(node: node).isEmpty, "a leader's proposal waits as long as it leads") }
        _ = interpreter.carryOut([.roleChanged(role: .follower, term: 3, leader: 2)], storage: io)
        for _ in 0..<4 { #expect(interpreter.tick(node: node).isEmpty) }
        #expect(interpreter.tick(node: node) == [.unknown(id: 7, index: 5, term: 2, why: .leadershipLost(waitedTicks: 5))])
        #expect(interpreter.decided(index: 5, term: 2).isEmpty, "answered once only")
    }

    @Test func aDeposedLeadersProposalCommittedInItsTermKeepsWaitingForItsApply() throws {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 2)
        let node = try Self.node(committed: 5, term: 2)
        _ = interpreter.carryOut([.proposalAccepted(id: 7, index: 5, term: 2), .roleChanged(role: .follower, term: 3, leader: 2)], storage: io)
        for _ in 0..<5 { #expect(interpreter.tick(node: node).isEmpty) }
        #expect(interpreter.decided(index: 5, term: 2) == [.applied(id: 7, index: 5, result: [])])
    }

    @Test func aSnapshotOverTheIndexLeavesTheOutcomeUnknown() {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 5)
        _ = interpreter.carryOut([.proposalAccepted(id: 7, index: 5, term: 2), .proposalAccepted(id: 8, index: 9, term: 2)], storage: io)
        #expect(interpreter.restored(through: 6) == [.unknown(id: 7, index: 5, term: 2, why: .replacedBySnapshot(through: 6))])
        #expect(interpreter.waitingProposals == 1)
    }
}
