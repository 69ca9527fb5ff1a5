import CorralRaft

/// Values that exercise every case and the edges of every field.
enum CodecSamples {
    static let membership = Membership(voters: [1, 2, 3], learners: [4, 1 << 40])
    static let metadata = SnapshotMetadata(index: 1_000, term: 7, membership: membership)

    static let entries: [Entry] = [
        Entry(term: 0, index: 0, payload: .empty),
        Entry(term: 1, index: 1, payload: .command([])),
        Entry(term: .max, index: .max, payload: .command(Array(0...255) + Array(repeating: 9, count: 300))),
        Entry(term: 3, index: 4, payload: .configChange(.addLearner(4), membership)),
        Entry(term: 3, index: 5, payload: .configChange(.promote(4), Membership(voters: [1, 2, 3, 4]))),
        Entry(term: 3, index: 6, payload: .configChange(.remove(.max), Membership(voters: [1]))),
    ]

    static let hardStates: [HardState] = [
        HardState(),
        HardState(term: 5, vote: 2, commit: 99),
        HardState(term: .max, vote: .max, commit: .max),
    ]

    static let snapshots: [Snapshot] = [
        Snapshot(metadata: SnapshotMetadata(index: 0, term: 0, membership: Membership(voters: [1])), data: []),
        Snapshot(metadata: metadata, data: Array(repeating: 0xAB, count: 1_000)),
    ]

    static let bodies: [MessageBody] = [
        .preVote(lastIndex: 10, lastTerm: 3),
        .preVoteResponse(granted: true),
        .preVoteResponse(granted: false),
        .vote(lastIndex: .max, lastTerm: 0, transfer: true),
        .vote(lastIndex: 1, lastTerm: 1, transfer: false),
        .voteResponse(granted: true),
        .append(AppendRequest(prevIndex: 3, prevTerm: 2, entries: entries, commit: 3)),
        .append(AppendRequest(prevIndex: 0, prevTerm: 0, entries: [], commit: 0)),
        .appendResponse(AppendResponse(index: 9, rejected: false)),
        .appendResponse(AppendResponse(index: 9, rejected: true, hintIndex: 4, hintTerm: 2)),
        .heartbeat(commit: 8, readContext: .max),
        .heartbeatResponse(readContext: 12),
        .installSnapshot(SnapshotChunk(metadata: metadata, offset: 0, totalBytes: 10, data: [1, 2, 3])),
        .installSnapshot(SnapshotChunk(metadata: metadata, offset: .max, totalBytes: .min, data: [])),
        .snapshotResponse(SnapshotAck(index: 1_000, term: 7, nextOffset: 3, installed: false)),
        .snapshotResponse(SnapshotAck(index: 1_000, term: 7, nextOffset: -1, installed: true)),
        .timeoutNow,
    ]

    static let messages: [Message] = bodies.enumerated().map { offset, body in
        Message(from: UInt64(offset), to: .max - UInt64(offset), term: UInt64(offset) << 33, body: body)
    }

    /// Every sample's encoding, with a decoder that decodes it as the right type.
    static let encodings: [Sample] = {
        var samples: [Sample] = []
        samples += entries.map { Sample($0) }
        samples += hardStates.map { Sample($0) }
        samples += snapshots.map { Sample($0) }
        samples.append(Sample(metadata))
        samples += messages.map { Sample($0) }
        return samples
    }()
}

/// One encoded sample, and how to decode bytes as its type.
struct Sample: Sendable {
    let name: String
    let bytes: [UInt8]
    let decode: @Sendable ([UInt8]) throws -> Void

    init<Value: RaftBinaryCodable & Sendable>(_ value: Value) {
        name = "\(Value.self)"
        bytes = value.encoded()
        decode = { _ = try Value(decoding: $0) }
    }
}

