// MARK: - AppendRequest

extension AppendRequest: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(varint: prevIndex)
        writer.write(varint: prevTerm)
        writer.write(array: entries)
        writer.write(varint: commit)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let prevIndex = try reader.readVarint("AppendRequest.prevIndex")
        let prevTerm = try reader.readVarint("AppendRequest.prevTerm")
        let entries = try reader.readArray(of: Entry.self, "AppendRequest.entries")
        let commit = try reader.readVarint("AppendRequest.commit")
        self.init(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit)
    }
}

// MARK: - AppendResponse

extension AppendResponse: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(varint: index)
        writer.write(bool: rejected)
        writer.write(varint: hintIndex)
        writer.write(varint: hintTerm)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let index = try reader.readVarint("AppendResponse.index")
        let rejected = try reader.readBool("AppendResponse.rejected")
        let hintIndex = try reader.readVarint("AppendResponse.hintIndex")
        let hintTerm = try reader.readVarint("AppendResponse.hintTerm")
        self.init(index: index, rejected: rejected, hintIndex: hintIndex, hintTerm: hintTerm)
    }
}

// MARK: - SnapshotChunk

extension SnapshotChunk: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        metadata.encode(to: &writer)
        writer.write(int: offset)
        writer.write(int: totalBytes)
        writer.write(bytes: data)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let metadata = try SnapshotMetadata(from: &reader)
        let offset = try reader.readInt("SnapshotChunk.offset")
        let totalBytes = try reader.readInt("SnapshotChunk.totalBytes")
        let data = try reader.readBytes("SnapshotChunk.data")
        self.init(metadata: metadata, offset: offset, totalBytes: totalBytes, data: data)
    }
}

// MARK: - SnapshotAck

extension SnapshotAck: RaftBinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(varint: index)
        writer.write(varint: term)
        writer.write(int: nextOffset)
        writer.write(bool: installed)
    }

    public init(from reader: inout ByteReader) throws(RaftCodecError) {
        let index = try reader.readVarint("SnapshotAck.index")
        let term = try reader.readVarint("SnapshotAck.term")
        let nextOffset = try reader.readInt("SnapshotAck.nextOffset")
        let installed = try reader.readBool("SnapshotAck.installed")
        self.init(index: index, term: term, nextOffset: nextOffset, installed: installed)
    }
}
