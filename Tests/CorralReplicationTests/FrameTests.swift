import CorralRaft
import NIOCore
import Testing

@testable import CorralReplication

@Suite struct FrameTests {
    private func bytes(of frame: Frame) -> ByteBuffer {
        var buffer = ByteBuffer()
        frame.write(to: &buffer)
        return buffer
    }

    @Test func aFrameRoundTripsAndAPartialOneWaits() throws {
        let message = Message(from: 1, to: 2, term: 3, body: .heartbeat(commit: 4, readContext: 5))
        let frame = Frame(kind: .raft, payload: message.encoded())
        var whole = bytes(of: frame)
        var partial = whole.getSlice(at: 0, length: whole.readableBytes - 1) ?? ByteBuffer()
        #expect(try FrameDecoder.parse(&partial, maxFrameBytes: 1 << 20) == nil)
        let decoded = try #require(try FrameDecoder.parse(&whole, maxFrameBytes: 1 << 20))
        #expect(decoded == frame)
        #expect(try Message(decoding: decoded.payload) == message)
    }

    @Test func oversizedCorruptAndUnknownFramesAreRefused() throws {
        var big = bytes(of: Frame(kind: .raft, payload: Array(repeating: 1, count: 2048)))
        #expect(throws: FrameError.tooLarge(bytes: 2048, limit: 1024)) { try FrameDecoder.parse(&big, maxFrameBytes: 1024) }

        var corrupt = bytes(of: Frame(kind: .raft, payload: [1, 2, 3]))
        corrupt.setInteger(UInt8(9), at: corrupt.writerIndex - 1)
        #expect(throws: FrameError.self) { try FrameDecoder.parse(&corrupt, maxFrameBytes: 1024) }

        var version = bytes(of: Frame(kind: .raft, payload: [1]))
        version.setInteger(UInt8(7), at: 4)
        #expect(throws: FrameError.badVersion(7)) { try FrameDecoder.parse(&version, maxFrameBytes: 1024) }

        var kind = bytes(of: Frame(kind: .raft, payload: [1]))
        kind.setInteger(UInt8(200), at: 5)
        #expect(throws: FrameError.badKind(200)) { try FrameDecoder.parse(&kind, maxFrameBytes: 1024) }

        var short = ByteBuffer(bytes: [0, 0, 0, 2, 1, 1])
        #expect(throws: FrameError.tooShort(2)) { try FrameDecoder.parse(&short, maxFrameBytes: 1024) }
    }

    @Test func randomBytesNeverCrashTheDecoder() {
        var state: UInt64 = 42
        for _ in 0..<2_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(state % 64) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: state >> 33))
            }
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var buffer = ByteBuffer(bytes: bytes)
            _ = try? FrameDecoder.parse(&buffer, maxFrameBytes: 1 << 16)
        }
    }

    @Test func theChecksumMatchesTheStandardCheckValue() {
        #expect(FrameChecksum.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
