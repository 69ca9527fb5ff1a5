import CorralTestSupport
import Testing

@_spi(Testing) @testable import CorralRaft

/// Issue 13 defect 6: a node whose state is damaged stops with a clear error instead of
/// running as if it held entries it lost.
@Suite struct StateDamageTests {
    static let membership = Membership(voters: [1, 2, 3])

    static func entries(_ indexes: ClosedRange<UInt64>, term: UInt64) -> [Entry] {
        indexes.map { Entry(term: term, index: $0, payload: .command([UInt8(truncatingIfNeeded: $0)])) }
    }

    static func snapshot(index: UInt64, term: UInt64) -> Snapshot {
        Snapshot(metadata: SnapshotMetadata(index: index, term: term, membership: membership), data: [1])
    }

    static func startError(_ state: RaftPersistentState, appliedIndex: UInt64? = nil) -> RaftStateError? {
        do {
            _ = try RaftNode(config: RaftConfig(id: 2), state: state, appliedIndex: appliedIndex)
            return nil
        } catch {
            return error
        }
    }

    @Test func aCommitIndexBeyondTheLogStopsTheNode() throws {
        let state = RaftPersistentState(
            hardState: HardState(term: 1, vote: 1, commit: 5), snapshot: Self.snapshot(index: 0, term: 0),
            entries: Self.entries(1...3, term: 1))
        let error = try #require(Self.startError(state))
        #expect(error.code == .commitBeyondLog)
        #expect(error.message.contains("commit index 5"))
        #expect(error.message.contains("last stored entry 3"))
        #expect(error.message.contains("corral quorum remove 2"))
        #expect(error.message.contains("never used before"))
    }

    @Test func aGapInTheStoredLogStopsTheNode() throws {
        let state = RaftPersistentState(
            hardState: HardState(term: 1, vote: 1, commit: 1), snapshot: Self.snapshot(index: 0, term: 0),
            entries: Self.entries(1...2, term: 1) + Self.entries(4...5, term: 1))
        let error = try #require(Self.startError(state))
        #expect(error.code == .logNotContiguous)
        #expect(error.message.contains("entry 4 follows entry 2"))
    }

    @Test func aLogThatStartsAfterTheSnapshotStopsTheNode() throws {
        let state = RaftPersistentState(
            hardState: HardState(term: 2, vote: 1, commit: 5), snapshot: Self.snapshot(index: 5, term: 2),
            entries: Self.entries(7...9, term: 2))
        let error = try #require(Self.startError(state))
        #expect(error.code == .logDisconnectedFromSnapshot)
    }

    @Test func aLogThatEndsBeforeTheSnapshotStopsTheNode() throws {
        let state = RaftPersistentState(
            hardState: HardState(term: 2, vote: 1, commit: 5), snapshot: Self.snapshot(index: 5, term: 2),
            entries: Self.entries(1...3, term: 2))
        let error = try #require(Self.startError(state))
        #expect(error.code == .logDisconnectedFromSnapshot)
    }

    @Test func aLogThatDisagreesWithTheSnapshotStopsTheNode() throws {
        let state = RaftPersistentState(
            hardState: HardState(term: 2, vote: 1, commit: 5), snapshot: Self.snapshot(index: 5, term: 2),
            entries: Self.entries(4...6, term: 1))
        let error = try #require(Self.startError(state))
        #expect(error.code == .logDisagreesWithSnapshot)
    }

    @Test func aTermOlderThanTheLogStopsTheNode() throws {
        let state = RaftPersistentState(
            hardState: HardState(term: 1, vote: 1, commit: 0), snapshot: Self.snapshot(index: 0, term: 0),
            entries: Self.entries(1...3, term: 2))
        let error = try #require(Self.startError(state))
        #expect(error.code == .termBehindLog)
    }

    @Test func anAppliedIndexBeyondTheLogStopsTheNode() throws {
        let state = RaftPersistentState(
            hardState: HardState(term: 1, vote: 1, commit: 3), snapshot: Self.snapshot(index: 0, term: 0),
            entries: Self.entries(1...3, term: 1))
        let error = try #require(Self.startError(state, appliedIndex: 7))
        #expect(error.code == .appliedBeyondLog)
    }

    @Test func aSoundStateStarts() throws {
        let state = RaftPersistentState(
            hardState: HardState(term: 2, vote: 1, commit: 6), snapshot: Self.snapshot(index: 5, term: 2),
            entries: Self.entries(3...8, term: 2))
        #expect(Self.startError(state, appliedIndex: 5) == nil)
        #expect(Self.startError(.bootstrap(voters: [1, 2, 3])) == nil)
        #expect(Self.startError(RaftPersistentState()) == nil)
    }

    @Test func theOldRuleClampsTheCommitIndexSilently() throws {
        var config = RaftConfig(id: 2)
        config.brokenRules = [.acceptCommittedConflict]
        let state = RaftPersistentState(
            hardState: HardState(term: 1, vote: 1, commit: 5), snapshot: Self.snapshot(index: 0, term: 0),
            entries: Self.entries(1...3, term: 1))
        let node = try RaftNode(config: config, state: state)
        #expect(node.commitIndex == 3)
    }

    // MARK: - A leader's append that contradicts committed entries

    /// Node 2 holds entries 1...3 of term 1, all committed.
    static func committedFollower(brokenRules: Set<BrokenRule> = []) throws -> RaftNode {
        var config = RaftConfig(id: 2)
        config.brokenRules = brokenRules
        let state = RaftPersistentState(
            hardState: HardState(term: 1, vote: 1, commit: 3), snapshot: Self.snapshot(index: 0, term: 0),
            entries: Self.entries(1...3, term: 1))
        return try RaftNode(config: config, state: state)
    }

    static func append(prevIndex: UInt64, prevTerm: UInt64, entries: [Entry], term: UInt64 = 2) -> RaftInput {
        let request = AppendRequest(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: 0)
        return .message(Message(from: 3, to: 2, term: term, body: .append(request)))
    }

    @Test func anAppendThatRewritesACommittedEntryStopsTheNode() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try Self.committedFollower()
        let effects = node.step(Self.append(prevIndex: 1, prevTerm: 1, entries: Self.entries(2...4, term: 2)), rng: &rng)
        #expect(effects.count == 1)
        guard case .fatal(let reason) = effects.first else {
            Issue.record("expected .fatal, got \(effects)")
            return
        }
        #expect(reason.contains("entry 2 with term 2"))
        #expect(reason.contains("term 1 as committed"))
        #expect(node.term(at: 2) == 1, "nothing is truncated")
        #expect(node.lastIndex == 3)
        #expect(node.fatalReason == reason)
        // A stopped node does nothing any more.
        #expect(node.step(.tick, rng: &rng).isEmpty)
        #expect(node.step(Self.append(prevIndex: 3, prevTerm: 1, entries: Self.entries(4...4, term: 2)), rng: &rng).isEmpty)
    }

    @Test func anAppendWhosePreviousEntryContradictsACommittedOneStopsTheNode() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try Self.committedFollower()
        let effects = node.step(Self.append(prevIndex: 3, prevTerm: 2, entries: Self.entries(4...4, term: 2)), rng: &rng)
        #expect(effects.count == 1)
        #expect(effects.first.map { if case .fatal = $0 { return true } else { return false } } == true)
    }

    @Test func anAppendThatAgreesWithCommittedEntriesIsAccepted() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try Self.committedFollower()
        let behind = node.step(Self.append(prevIndex: 1, prevTerm: 1, entries: Self.entries(2...3, term: 1)), rng: &rng)
        #expect(!behind.contains { if case .fatal = $0 { return true } else { return false } })
        let ahead = node.step(Self.append(prevIndex: 3, prevTerm: 1, entries: Self.entries(4...4, term: 2)), rng: &rng)
        #expect(!ahead.contains { if case .fatal = $0 { return true } else { return false } })
        #expect(node.lastIndex == 4)
    }

    @Test func aSnapshotThatContradictsACommittedEntryStopsTheNode() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try Self.committedFollower()
        let meta = SnapshotMetadata(index: 2, term: 2, membership: Self.membership)
        let chunk = SnapshotChunk(metadata: meta, offset: 0, totalBytes: 1, data: [1])
        let effects = node.step(.message(Message(from: 3, to: 2, term: 2, body: .installSnapshot(chunk))), rng: &rng)
        #expect(effects.count == 1)
        #expect(effects.first.map { if case .fatal = $0 { return true } else { return false } } == true)
    }

    @Test func theOldRuleAnswersAConflictingAppendAsIfItMatched() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try Self.committedFollower(brokenRules: [.acceptCommittedConflict])
        let effects = node.step(Self.append(prevIndex: 1, prevTerm: 1, entries: Self.entries(2...4, term: 2)), rng: &rng)
        #expect(!effects.contains { if case .fatal = $0 { return true } else { return false } })
        #expect(node.fatalReason == nil)
    }
}
