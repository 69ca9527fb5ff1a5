import CorralTestSupport
import Testing

@testable import CorralRaft

/// The one effect interpreter `RaftServer` and the simulator share: persist before send,
/// acknowledgements after the held messages, a stopped interpreter sends nothing.
@Suite struct RaftEffectInterpreterTests {
    static let reply = Message(from: 2, to: 1, term: 3, body: .appendResponse(AppendResponse(index: 5, rejected: false)))
    static let entries = [Entry(term: 3, index: 4, payload: .empty), Entry(term: 3, index: 5, payload: .empty)]

    @Test func aReplyWaitsUntilTheEntriesBeforeItAreDurable() {
        var interpreter = RaftEffectInterpreter(id: 2, outcomeWaitTicks: 10)
        let io = ShellIODouble()
        let work = interpreter.carryOut([.persistEntries(Self.entries), .send(Self.reply)], storage: io)
        interpreter.flush(to: io)
        #expect(work.inputs.isEmpty)
        #expect(io.writes == [RaftStorageWrite(sequence: 1, operation: .batch(RaftWriteBatch(entries: Self.entries)))])
        #expect(io.sent.isEmpty, "the reply claims entries 4 and 5 are stored; it may not go before they are durable")
        #expect(interpreter.heldCount == 1)

        let released = interpreter.durable(through: 1)
        interpreter.flush(to: io)
        #expect(io.sent == [Self.reply])
        #expect(released.inputs == [.entriesDurable(index: 5, term: 3)])
    }

    @Test func aFollowerStoresTheLeadersEntriesBeforeItAnswers() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try RaftNode(config: RaftConfig(id: 2), state: .bootstrap(voters: [1, 2, 3]))
        var interpreter = RaftEffectInterpreter(id: 2, outcomeWaitTicks: 10)
        let io = ShellIODouble()
        let append = AppendRequest(prevIndex: 0, prevTerm: 0, entries: [Entry(term: 4, index: 1, payload: .empty)], commit: 0)
        let effects = node.step(.message(Message(from: 1, to: 2, term: 4, body: .append(append))), rng: &rng)
        _ = interpreter.carryOut(effects, storage: io)
        interpreter.flush(to: io)
        #expect(io.sent.isEmpty)
        let last = try #require(io.writes.last?.sequence)
        _ = interpreter.durable(through: last - 1)
        interpreter.flush(to: io)
        #expect(io.sent.isEmpty, "every write before the reply must be durable, not only some")
        let work = interpreter.durable(through: last)
        interpreter.flush(to: io)
        let response = try #require(io.positionOfSend { if case .appendResponse = $0 { true } else { false } })
        let lastWrite = try #require(io.events.lastIndex { if case .write = $0 { true } else { false } })
        #expect(lastWrite < response)
        #expect(work.inputs == [.entriesDurable(index: 1, term: 4)])
    }

    @Test func aLeadersAppendsAndHeartbeatRepliesDoNotWaitForTheDisk() {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 10)
        let io = ShellIODouble()
        let append = Message(from: 1, to: 2, term: 3, body: .append(AppendRequest(prevIndex: 3, prevTerm: 3, entries: Self.entries, commit: 3)))
        let heartbeatReply = Message(from: 1, to: 3, term: 3, body: .heartbeatResponse(readContext: 0))
        _ = interpreter.carryOut([.persistEntries(Self.entries), .send(append), .send(heartbeatReply)], storage: io)
        interpreter.flush(to: io)
        #expect(io.sent == [append, heartbeatReply])
    }

    @Test func aCompactionHoldsNothingBack() {
        var interpreter = RaftEffectInterpreter(id: 2, outcomeWaitTicks: 10)
        let io = ShellIODouble()
        _ = interpreter.carryOut([.compactLog(through: 3), .send(Self.reply)], storage: io)
        interpreter.flush(to: io)
        #expect(io.writes == [RaftStorageWrite(sequence: 1, operation: .compact(through: 3))])
        #expect(io.sent == [Self.reply])
    }

    @Test func aCandidatesOwnVoteComesBackOnceDurableAndNeverGoesOnTheNetwork() {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 10)
        let io = ShellIODouble()
        let ownVote = Message(from: 1, to: 1, term: 5, body: .voteResponse(granted: true))
        let request = Message(from: 1, to: 2, term: 5, body: .vote(lastIndex: 0, lastTerm: 0, transfer: false))
        let first = interpreter.carryOut(
            [.persistHardState(HardState(term: 5, vote: 1, commit: 0)), .persistEntries(Self.entries), .send(ownVote), .send(request)],
            storage: io)
        interpreter.flush(to: io)
        #expect(first.inputs.isEmpty)
        let work = interpreter.durable(through: 2)
        interpreter.flush(to: io)
        #expect(work.inputs == [.message(ownVote), .entriesDurable(index: 5, term: 3)], "the held vote first, then the acknowledgement")
        #expect(!io.sent.contains(ownVote))
    }

    @Test func aSnapshotThisNodeTookIsStoredAsMetadataOnly() {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 10)
        let io = ShellIODouble()
        let membership = Membership(voters: [1])
        let own = Snapshot(metadata: SnapshotMetadata(index: 10, term: 2, membership: membership), data: [9, 9])
        let leaders = Snapshot(metadata: SnapshotMetadata(index: 20, term: 3, membership: membership), data: [7])
        interpreter.localSnapshotIndex = 10
        _ = interpreter.carryOut([.persistSnapshot(own), .persistSnapshot(leaders)], storage: io)
        #expect(io.writes.map(\.operation) == [
            .batch(RaftWriteBatch(snapshot: Snapshot(metadata: own.metadata, data: []))),
            .batch(RaftWriteBatch(snapshot: leaders)),
        ])
        #expect(interpreter.durable(through: 2).inputs == [.snapshotDurable(index: 10, term: 2), .snapshotDurable(index: 20, term: 3)])
    }

    @Test func aStorageFailureStopsEverySend() {
        var interpreter = RaftEffectInterpreter(id: 2, outcomeWaitTicks: 10)
        let io = ShellIODouble()
        let ready = Message(from: 2, to: 1, term: 3, body: .heartbeatResponse(readContext: 0))
        _ = interpreter.carryOut([.persistEntries(Self.entries), .send(Self.reply), .send(ready), .proposalAccepted(id: 4, index: 5, term: 3)], storage: io)
        let outcomes = interpreter.stop("the disk is full")
        #expect(outcomes == [.unknown(id: 4, index: 5, term: 3, why: .stopped("the disk is full"))])
        interpreter.flush(to: io)
        #expect(interpreter.durable(through: 1).isEmpty)
        _ = interpreter.carryOut([.persistHardState(HardState(term: 4, vote: 0, commit: 0)), .send(ready)], storage: io)
        interpreter.flush(to: io)
        #expect(io.sent.isEmpty, "a node whose writes fail must not claim anything, nor send what was ready")
        #expect(io.writes.count == 1, "nothing is written after the failure")
        #expect(interpreter.stopReason == "the disk is full")
    }

    @Test func aFatalEffectStopsTheInterpreterAndIsHandedOver() {
        var interpreter = RaftEffectInterpreter(id: 2, outcomeWaitTicks: 10)
        let io = ShellIODouble()
        let work = interpreter.carryOut([.fatal("entry 3 conflicts"), .send(Self.reply)], storage: io)
        interpreter.flush(to: io)
        #expect(work.handOffs == [.fatal("entry 3 conflicts")])
        #expect(io.events.isEmpty)
    }

    @Test func aReadIsHandedOverOnlyOnceTheStateMachineHasAppliedItsIndex() {
        var interpreter = RaftEffectInterpreter(id: 1, outcomeWaitTicks: 10, appliedIndex: 4)
        let io = ShellIODouble()
        let work = interpreter.carryOut([.readReady(id: 1, index: 4), .readReady(id: 2, index: 6), .readReady(id: 3, index: 5)], storage: io)
        #expect(work.handOffs == [.readReady(id: 1, index: 4)])
        #expect(interpreter.applied(through: 5) == [.readReady(id: 3, index: 5)])
        #expect(interpreter.applied(through: 7) == [.readReady(id: 2, index: 6)])
        _ = interpreter.carryOut([.readReady(id: 4, index: 9)], storage: io)
        _ = interpreter.stop("stopped")
        #expect(interpreter.applied(through: 9).isEmpty, "a stopped node serves no read")
    }
}
