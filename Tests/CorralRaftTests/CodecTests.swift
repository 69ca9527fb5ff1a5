import CorralRaft
import Testing
import CorralTestSupport

@Suite("CodecTests")
struct CodecTests {
    // MARK: - Round trips

    @Test("entries round-trip", arguments: CodecSamples.entries)
    func entryRoundTrip(entry: Entry) throws {
        #expect(try Entry(decoding: entry.encoded()) == entry)
    }

    @Test("hard states round-trip", arguments: CodecSamples.hardStates)
    func hardStateRoundTrip(state: HardState) throws {
        #expect(try HardState(decoding: state.encoded()) == state)
    }

    @Test("snapshots and their metadata round-trip", arguments: CodecSamples.snapshots)
    func snapshotRoundTrip(snapshot: Snapshot) throws {
        #expect(try Snapshot(decoding: snapshot.encoded()) == snapshot)
        #expect(try SnapshotMetadata(decoding: snapshot.metadata.encoded()) == snapshot.metadata)
    }

    @Test("every message body round-trips", arguments: CodecSamples.messages)
    func messageRoundTrip(message: Message) throws {
        #expect(try Message(decoding: message.encoded()) == message)
    }

    @Test("equal memberships encode to equal bytes")
    func canonicalSets() {
        let left = Membership(voters: [5, 1, 3, 9, 7], learners: [11, 13])
        let right = Membership(voters: [9, 7, 5, 3, 1], learners: [13, 11])
        #expect(left.encoded() == right.encoded())
    }

    @Test("the encoding is compact")
    func compact() {
        let heartbeat = Message(from: 1, to: 2, term: 3, body: .heartbeat(commit: 100, readContext: 0))
        #expect(heartbeat.encoded().count == 7)
        #expect(HardState(term: 1, vote: 1, commit: 1).encoded().count == 4)
    }

    // MARK: - Malformed input

    @Test("every proper prefix of a valid encoding throws")
    func prefixesThrow() {
        for sample in CodecSamples.encodings {
            let bytes = sample.bytes
            for length in 0..<bytes.count {
                #expect(throws: RaftCodecError.self, "\(sample.name) prefix of \(length) bytes") {
                    try sample.decode(Array(bytes.prefix(length)))
                }
            }
        }
    }

    @Test("trailing bytes, a wrong version and an unknown tag are typed errors")
    func typedErrors() throws {
        let bytes = Message(from: 1, to: 2, term: 3, body: .timeoutNow).encoded()
        #expect(bytes.first == RaftCodec.formatVersion)
        let trailing = try #require(throws: RaftCodecError.self) { try Message(decoding: bytes + [0]) }
        #expect(trailing.code == .trailingBytes)
        let version = try #require(throws: RaftCodecError.self) { try Message(decoding: [99] + bytes.dropFirst()) }
        #expect(version.code == .unsupportedVersion)
        let tag = try #require(throws: RaftCodecError.self) { try Message(decoding: Array(bytes.dropLast()) + [200]) }
        #expect(tag.code == .unknownTag)
        #expect(tag.description.contains("decode Message"))
        #expect(tag.description.contains("MessageBody tag 200"))
        let bool = try #require(throws: RaftCodecError.self) {
            try Message(decoding: [RaftCodec.formatVersion, 1, 2, 3, 1, 2])
        }
        #expect(bool.code == .invalidValue)
    }

    @Test("over-long varints and impossible lengths are rejected without allocating")
    func hostileLengths() throws {
        let overflow = try #require(throws: RaftCodecError.self) {
            try HardState(decoding: [RaftCodec.formatVersion] + Array(repeating: 0xFF, count: 10) + [0x01])
        }
        #expect(overflow.code == .invalidValue)
        let tooLong = try #require(throws: RaftCodecError.self) {
            try HardState(decoding: [RaftCodec.formatVersion] + Array(repeating: 0x80, count: 11))
        }
        #expect(tooLong.code == .invalidValue)
        // A command claiming 2^63 bytes in a 20-byte input.
        var claim: [UInt8] = [RaftCodec.formatVersion, 1, 1, 1]
        claim += Array(repeating: 0xFF, count: 8) + [0x7F]
        let huge = try #require(throws: RaftCodecError.self) { try Entry(decoding: claim) }
        #expect(huge.code == .truncated)
    }

    // MARK: - Fuzz

    @Test("random bytes never crash a decoder", arguments: [1, 2, 3, 42] as [UInt64])
    func randomBytes(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...48, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !bytes.isEmpty, Bool.random(using: &generator) { bytes[0] = RaftCodec.formatVersion }
            try expectStable(bytes)
        }
    }

    @Test("mutated valid encodings never crash a decoder", arguments: [7, 8] as [UInt64])
    func mutatedEncodings(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        for sample in CodecSamples.encodings {
            let original = sample.bytes
            for _ in 0..<100 {
                var bytes = original
                for _ in 0...Int.random(in: 0...3, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                try expectStable(bytes)
            }
        }
    }

    /// Decodes `bytes` as every type; whatever decodes must survive another round trip.
    private func expectStable(_ bytes: [UInt8]) throws {
        if let value = try? Message(decoding: bytes) { #expect(try Message(decoding: value.encoded()) == value) }
        if let value = try? Entry(decoding: bytes) { #expect(try Entry(decoding: value.encoded()) == value) }
        if let value = try? HardState(decoding: bytes) { #expect(try HardState(decoding: value.encoded()) == value) }
        if let value = try? Snapshot(decoding: bytes) { #expect(try Snapshot(decoding: value.encoded()) == value) }
        if let value = try? SnapshotMetadata(decoding: bytes) {
            #expect(try SnapshotMetadata(decoding: value.encoded()) == value)
        }
    }
}
