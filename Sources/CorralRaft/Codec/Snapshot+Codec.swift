// MARK: - Membership

extension Membership: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(ids: voters)
        writer.write(ids: learners)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let voters = try reader.readIDs("Membership.voters")
        self.init(voters: voters, learners: try reader.readIDs("Membership.learners"))
    }
}

// MARK: - SnapshotMetadata

extension SnapshotMetadata: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(varint: index)
        writer.write(varint: term)
        membership.encode(to: &writer)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let index = try reader.readVarint("SnapshotMetadata.index")
        let term = try reader.readVarint("SnapshotMetadata.term")
        self.init(index: index, term: term, membership: try Membership(from: &reader))
    }
}

// MARK: - Snapshot

extension Snapshot: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        metadata.encode(to: &writer)
        writer.write(bytes: data)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let metadata = try SnapshotMetadata(from: &reader)
        self.init(metadata: metadata, data: try reader.readBytes("Snapshot.data"))
    }
}
