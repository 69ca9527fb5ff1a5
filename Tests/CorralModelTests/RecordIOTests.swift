import Testing

@testable import CorralModel

@Suite("RecordIO framing")
struct RecordIOTests {
    @Test func encodesLengthNewlineBytes() {
        #expect(
            RecordIO.encode(Array(#"{"type":"HEARTBEAT"}"#.utf8))
                == Array("20\n{\"type\":\"HEARTBEAT\"}".utf8)
        )
        #expect(RecordIO.encode([UInt8]()) == Array("0\n".utf8))
    }

    @Test func roundTripsWholeStream() throws {
        let records: [[UInt8]] = [
            Array("hello".utf8), [], Array(repeating: 0x7B, count: 1000), [0, 10, 255],
        ]
        let stream = RecordIO.encode(records: records)
        var decoder = RecordIODecoder()
        #expect(try decoder.decode(stream) == records)
        try decoder.finish()
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func decodesAnyChunking(chunkSize: Int) throws {
        let events = [MesosSamples.subscribedEvent, MesosSamples.offersEvent, MesosSamples.updateEvent]
        let stream = RecordIO.encode(records: events.map { Array($0.utf8) })
        var decoder = RecordIODecoder()
        var decoded: [[UInt8]] = []
        var start = 0
        while start < stream.count {
            let end = min(start + chunkSize, stream.count)
            decoded += try decoder.decode(stream[start..<end])
            start = end
        }
        try decoder.finish()
        #expect(decoded.map { String(decoding: $0, as: UTF8.self) } == events)
        let parsed = try decoded.map { try MesosJSON.decode(SchedulerEvent.self, from: $0) }
        #expect(parsed.map(\.type) == [.subscribed, .offers, .update])
    }

    @Test func partialInputWaitsForMore() throws {
        var decoder = RecordIODecoder()
        #expect(try decoder.decode(Array("1".utf8)).isEmpty)
        #expect(try decoder.decode(Array("1\nhello".utf8)).isEmpty)
        #expect(throws: ModelError.self) { try decoder.finish() }
        #expect(
            try decoder.decode(Array(" world5\nabcde".utf8)) == [
                Array("hello world".utf8), Array("abcde".utf8),
            ]
        )
        try decoder.finish()
    }

    @Test func badLengthIsATypedErrorAndSticks() {
        var decoder = RecordIODecoder()
        do {
            _ = try decoder.decode(Array("12a\nxyz".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidRecordLength)
            #expect(error.message == #"length header "12a" is not a decimal number"#)
        }
        do {
            _ = try decoder.decode(Array("3\nabc".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .decoderFailed)
        }
    }

    @Test func oversizedAndOverlongHeadersAreRejected() {
        var small = RecordIODecoder(maximumRecordBytes: 10)
        #expect(throws: ModelError.self) { try small.decode(Array("11\n".utf8)) }
        var overflow = RecordIODecoder()
        #expect(throws: ModelError.self) { try overflow.decode(Array("99999999999999999999\n".utf8)) }
        var endless = RecordIODecoder()
        #expect(throws: ModelError.self) {
            try endless.decode(Array(repeating: UInt8(ascii: "1"), count: 100))
        }
        var empty = RecordIODecoder()
        #expect(throws: ModelError.self) { try empty.decode(Array("\n".utf8)) }
    }
}
