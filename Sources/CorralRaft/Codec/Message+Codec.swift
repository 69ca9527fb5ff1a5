// MARK: - Message

extension Message: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(varint: from)
        writer.write(varint: to)
        writer.write(varint: term)
        body.encode(to: &writer)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let from = try reader.readVarint("Message.from")
        let to = try reader.readVarint("Message.to")
        let term = try reader.readVarint("Message.term")
        self.init(from: from, to: to, term: term, body: try MessageBody(from: &reader))
    }
}

// MARK: - MessageBody

extension MessageBody: RaftBinaryCodable {
    /// One tag per case; never reuse a number.
    private enum Tag: UInt8 {
        case preVote = 0
        case preVoteResponse = 1
        case vote = 2
        case voteResponse = 3
        case append = 4
        case appendResponse = 5
        case heartbeat = 6
        case heartbeatResponse = 7
        case installSnapshot = 8
        case snapshotResponse = 9
        case timeoutNow = 10
    }

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .preVote(let lastIndex, let lastTerm):
            writer.write(byte: Tag.preVote.rawValue)
            writer.write(varint: lastIndex)
            writer.write(varint: lastTerm)
        case .preVoteResponse(let granted):
            writer.write(byte: Tag.preVoteResponse.rawValue)
            writer.write(bool: granted)
        case .vote(let lastIndex, let lastTerm, let transfer):
            writer.write(byte: Tag.vote.rawValue)
            writer.write(varint: lastIndex)
            writer.write(varint: lastTerm)
            writer.write(bool: transfer)
        case .voteResponse(let granted):
            writer.write(byte: Tag.voteResponse.rawValue)
            writer.write(bool: granted)
        case .append(let request):
            writer.write(byte: Tag.append.rawValue)
            request.encode(to: &writer)
        case .appendResponse(let response):
            writer.write(byte: Tag.appendResponse.rawValue)
            response.encode(to: &writer)
        case .heartbeat(let commit, let readContext):
            writer.write(byte: Tag.heartbeat.rawValue)
            writer.write(varint: commit)
            writer.write(varint: readContext)
        case .heartbeatResponse(let readContext):
            writer.write(byte: Tag.heartbeatResponse.rawValue)
            writer.write(varint: readContext)
        case .installSnapshot(let chunk):
            writer.write(byte: Tag.installSnapshot.rawValue)
            chunk.encode(to: &writer)
        case .snapshotResponse(let ack):
            writer.write(byte: Tag.snapshotResponse.rawValue)
            ack.encode(to: &writer)
        case .timeoutNow:
            writer.write(byte: Tag.timeoutNow.rawValue)
        }
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let raw = try reader.readByte("MessageBody tag")
        guard let tag = Tag(rawValue: raw) else {
            throw reader.error(.unknownTag, "MessageBody tag \(raw) is unknown")
        }
        switch tag {
        case .preVote:
            let lastIndex = try reader.readVarint("preVote.lastIndex")
            self = .preVote(lastIndex: lastIndex, lastTerm: try reader.readVarint("preVote.lastTerm"))
        case .preVoteResponse:
            self = .preVoteResponse(granted: try reader.readBool("preVoteResponse.granted"))
        case .vote:
            let lastIndex = try reader.readVarint("vote.lastIndex")
            let lastTerm = try reader.readVarint("vote.lastTerm")
            self = .vote(lastIndex: lastIndex, lastTerm: lastTerm, transfer: try reader.readBool("vote.transfer"))
        case .voteResponse:
            self = .voteResponse(granted: try reader.readBool("voteResponse.granted"))
        case .append:
            self = .append(try AppendRequest(from: &reader))
        case .appendResponse:
            self = .appendResponse(try AppendResponse(from: &reader))
        case .heartbeat:
            let commit = try reader.readVarint("heartbeat.commit")
            self = .heartbeat(commit: commit, readContext: try reader.readVarint("heartbeat.readContext"))
        case .heartbeatResponse:
            self = .heartbeatResponse(readContext: try reader.readVarint("heartbeatResponse.readContext"))
        case .installSnapshot:
            self = .installSnapshot(try SnapshotChunk(from: &reader))
        case .snapshotResponse:
            self = .snapshotResponse(try SnapshotAck(from: &reader))
        case .timeoutNow:
            self = .timeoutNow
        }
    }
}
