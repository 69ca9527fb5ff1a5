import CorralTestSupport
import Testing

@testable import CorralRaft

/// The order of writes and sends: a stored entry's term is never above the stored term, and
/// only replies that claim something about the log wait for the disk.
@Suite struct DurableOrderTests {
    static func firstIndex(of kind: String, in effects: [RaftEffect]) -> Int? {
        effects.firstIndex { effect in
            switch effect {
            case .persistHardState: return kind == "hardState"
            case .persistEntries: return kind == "entries"
            case .persistSnapshot: return kind == "snapshot"
            default: return false
            }
        }
    }

    @Test func aFollowerStoresANewTermBeforeTheEntriesOfThatTerm() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try RaftNode(config: RaftConfig(id: 2), state: .bootstrap(voters: [1, 2, 3]))
        let entries = [Entry(term: 4, index: 1, payload: .empty)]
        let request = AppendRequest(prevIndex: 0, prevTerm: 0, entries: entries, commit: 0)
        let effects = node.step(.message(Message(from: 1, to: 2, term: 4, body: .append(request))), rng: &rng)
        let hardState = try #require(Self.firstIndex(of: "hardState", in: effects))
        let written = try #require(Self.firstIndex(of: "entries", in: effects))
        #expect(hardState < written, "a crash between the writes must not leave entries of term 4 with a stored term below 4")
        #expect(effects[hardState] == .persistHardState(HardState(term: 4, vote: 0, commit: 0)))
    }

    @Test func aFollowerStoresANewTermBeforeASnapshotOfThatTerm() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try RaftNode(config: RaftConfig(id: 2), state: .bootstrap(voters: [1, 2, 3]))
        let meta = SnapshotMetadata(index: 9, term: 4, membership: Membership(voters: [1, 2, 3]))
        let chunk = SnapshotChunk(metadata: meta, offset: 0, totalBytes: 2, data: [1, 2])
        let effects = node.step(.message(Message(from: 1, to: 2, term: 4, body: .installSnapshot(chunk))), rng: &rng)
        let hardState = try #require(Self.firstIndex(of: "hardState", in: effects))
        let written = try #require(Self.firstIndex(of: "snapshot", in: effects))
        #expect(hardState < written)
    }

    @Test func heartbeatRepliesDoNotWaitForTheDiskButVotesAndAppendRepliesDo() {
        func waits(_ body: MessageBody) -> Bool { Message(from: 2, to: 1, term: 1, body: body).waitsForPersistence }
        #expect(!waits(.heartbeatResponse(readContext: 3)))
        #expect(waits(.voteResponse(granted: true)))
        #expect(waits(.preVoteResponse(granted: true)))
        #expect(waits(.appendResponse(AppendResponse(index: 1, rejected: false))))
        #expect(waits(.snapshotResponse(SnapshotAck(index: 1, term: 1, nextOffset: 1, installed: true))))
        #expect(Message(from: 1, to: 1, term: 1, body: .voteResponse(granted: true)).waitsForPersistence)
    }
}
