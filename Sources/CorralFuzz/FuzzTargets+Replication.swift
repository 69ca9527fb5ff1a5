import CorralMaster
import CorralRaft
import CorralReplication
import NIOCore

// MARK: - Raft peer links and the client protocol

extension FuzzTargets {
    static let replication: [FuzzTarget] = [
        FuzzTarget(
            name: "raft-message", summary: "Raft messages as a peer sends them (a raft frame's payload)",
            format: .binary, seeds: RaftSeeds.messages.map { $0.encoded() }
        ) { input, _ in _ = try Message(decoding: input) },
        FuzzTarget(
            name: "raft-frame", summary: "peer-link framing (length, version, kind, CRC) and each frame's payload",
            format: .binary, seeds: RaftSeeds.frameStreams
        ) { input, _ in
            var buffer = ByteBuffer(bytes: input)
            var limit = FrameDecoder.maxFirstFrameBytes
            while let frame = try FrameDecoder.parse(&buffer, maxFrameBytes: limit) {
                limit = 1 << 20
                switch frame.kind {
                case .hello: _ = try Hello(decoding: frame.payload)
                case .raft: _ = try Message(decoding: frame.payload)
                case .client: _ = try ClientRequest(decoding: frame.payload)
                }
            }
        },
        FuzzTarget(
            name: "raft-storage", summary: "Raft log entries, hard state and snapshots as read back from disk",
            format: .binary, seeds: RaftSeeds.stored
        ) { input, _ in
            var refusals = 0
            do { _ = try Entry(decoding: input) } catch { refusals += 1 }
            do { _ = try HardState(decoding: input) } catch { refusals += 1 }
            do { _ = try Snapshot(decoding: input) } catch { refusals += 1 }
            do { _ = try SnapshotMetadata(decoding: input) } catch { refusals += 1 }
            if refusals == 4 { throw FuzzError("refused as every stored record") }
        },
        FuzzTarget(
            name: "client-protocol", summary: "the binary client protocol (requests and responses)",
            format: .binary, seeds: RaftSeeds.clientMessages
        ) { input, _ in
            var refusals = 0
            do { _ = try ClientRequest(decoding: input) } catch { refusals += 1 }
            do { _ = try ClientResponse(decoding: input) } catch { refusals += 1 }
            if refusals == 2 { throw FuzzError("refused as both request and response") }
        },
    ]
}

/// Valid Raft and client-protocol inputs the replication targets start from.
enum RaftSeeds {
    static let membership = Membership(voters: [1, 2, 3], learners: [4])

    static let entries = [
        Entry(term: 2, index: 7, payload: .empty),
        Entry(term: 2, index: 8, payload: .command(Array("put k v".utf8))),
        Entry(term: 3, index: 9, payload: .configChange(.addLearner(4), membership)),
    ]

    static let messages: [Message] = [
        Message(from: 1, to: 2, term: 3, body: .preVote(lastIndex: 9, lastTerm: 3)),
        Message(from: 1, to: 2, term: 3, body: .vote(lastIndex: 9, lastTerm: 3, transfer: true)),
        Message(from: 2, to: 1, term: 3, body: .voteResponse(granted: true)),
        Message(from: 1, to: 2, term: 3, body: .append(AppendRequest(prevIndex: 6, prevTerm: 2, entries: entries, commit: 6))),
        Message(from: 2, to: 1, term: 3, body: .appendResponse(AppendResponse(index: 6, rejected: true, hintIndex: 4, hintTerm: 1))),
        Message(from: 1, to: 2, term: 3, body: .heartbeat(commit: 9, readContext: 77)),
        Message(
            from: 1, to: 2, term: 3,
            body: .installSnapshot(
                SnapshotChunk(
                    metadata: SnapshotMetadata(index: 9, term: 3, membership: membership), offset: 0, totalBytes: 4,
                    data: [1, 2, 3, 4]))),
        Message(from: 1, to: 2, term: 3, body: .timeoutNow),
    ]

    static var frameStreams: [[UInt8]] {
        let hello = Frame(kind: .hello, payload: Hello(clusterID: "corral", nodeID: 1, address: PeerAddress(host: "127.0.0.1", port: 7101)).encoded)
        let raft = messages.prefix(4).map { Frame(kind: .raft, payload: $0.encoded()) }
        let client = Frame(kind: .client, payload: ClientRequest(id: 5, operation: .put, key: [1], value: [2, 3]).encoded)
        return [[hello] + raft, [hello, client]].map { frames in
            var buffer = ByteBuffer()
            for frame in frames { frame.write(to: &buffer) }
            return Array(buffer.readableBytesView)
        }
    }

    static var stored: [[UInt8]] {
        entries.map { $0.encoded() } + [
            HardState(term: 3, vote: 1, commit: 9).encoded(),
            SnapshotMetadata(index: 9, term: 3, membership: membership).encoded(),
        ]
    }

    static let clientMessages: [[UInt8]] = [
        ClientRequest(id: 1, operation: .put, key: Array("key".utf8), value: Array("value".utf8)).encoded,
        ClientRequest(id: 2, operation: .get, key: Array("key".utf8)).encoded,
        ClientResponse(id: 1, status: .ok, body: [1, 2], leader: 3).encoded,
    ]
}
