// MARK: - Entry

extension Entry: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(varint: term)
        writer.write(varint: index)
        payload.encode(to: &writer)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let term = try reader.readVarint("Entry.term")
        let index = try reader.readVarint("Entry.index")
        self.init(term: term, index: index, payload: try EntryPayload(from: &reader))
    }
}

// MARK: - EntryPayload

extension EntryPayload: RaftBinaryCodable {
    private enum Tag: UInt8 {
        case empty = 0
        case command = 1
        case configChange = 2
    }

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .empty:
            writer.write(byte: Tag.empty.rawValue)
        case .command(let bytes):
            writer.write(byte: Tag.command.rawValue)
            writer.write(bytes: bytes)
        case .configChange(let change, let membership):
            writer.write(byte: Tag.configChange.rawValue)
            change.encode(to: &writer)
            membership.encode(to: &writer)
        }
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let raw = try reader.readByte("EntryPayload tag")
        guard let tag = Tag(rawValue: raw) else {
            throw reader.error(.unknownTag, "EntryPayload tag \(raw) is unknown")
        }
        switch tag {
        case .empty:
            self = .empty
        case .command:
            self = .command(try reader.readBytes("EntryPayload.command"))
        case .configChange:
            let change = try ConfigChange(from: &reader)
            self = .configChange(change, try Membership(from: &reader))
        }
    }
}

// MARK: - ConfigChange

extension ConfigChange: RaftBinaryCodable {
    private enum Tag: UInt8 {
        case addLearner = 0
        case promote = 1
        case remove = 2
    }

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .addLearner(let id):
            writer.write(byte: Tag.addLearner.rawValue)
            writer.write(varint: id)
        case .promote(let id):
            writer.write(byte: Tag.promote.rawValue)
            writer.write(varint: id)
        case .remove(let id):
            writer.write(byte: Tag.remove.rawValue)
            writer.write(varint: id)
        }
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let raw = try reader.readByte("ConfigChange tag")
        guard let tag = Tag(rawValue: raw) else {
            throw reader.error(.unknownTag, "ConfigChange tag \(raw) is unknown")
        }
        let id = try reader.readVarint("ConfigChange node id")
        switch tag {
        case .addLearner: self = .addLearner(id)
        case .promote: self = .promote(id)
        case .remove: self = .remove(id)
        }
    }
}

// MARK: - HardState

extension HardState: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(varint: term)
        writer.write(varint: vote)
        writer.write(varint: commit)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let term = try reader.readVarint("HardState.term")
        let vote = try reader.readVarint("HardState.vote")
        self.init(term: term, vote: vote, commit: try reader.readVarint("HardState.commit"))
    }
}
