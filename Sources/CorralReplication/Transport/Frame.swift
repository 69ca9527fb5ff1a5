import NIOCore

/// One unit on a Corral TCP connection between masters (and from clients).
///
/// Wire layout, big-endian:
///
///     u32 length   — bytes after this field: 1 + 1 + 4 + payload
///     u8  version  — `Frame.version`
///     u8  kind     — `Frame.Kind`
///     u32 crc32    — CRC-32 (IEEE) of the payload
///     payload
///
/// A frame whose length exceeds the receiver's maximum, whose version or kind is unknown,
/// or whose checksum fails closes the connection with a logged reason.
public struct Frame: Sendable, Hashable {
    public static let version: UInt8 = 1
    public static let headerBytes = 4 + 1 + 1 + 4

    public enum Kind: UInt8, Sendable {
        /// The first frame on a connection: who is calling and from which cluster.
        case hello = 1
        /// One encoded Raft message.
        case raft = 2
        /// A client request or response (see `ClientFrame`).
        case client = 3
    }

    public var kind: Kind
    public var payload: [UInt8]

    public init(kind: Kind, payload: [UInt8]) {
        self.kind = kind
        self.payload = payload
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(1 + 1 + 4 + payload.count))
        buffer.writeInteger(Frame.version)
        buffer.writeInteger(kind.rawValue)
        buffer.writeInteger(FrameChecksum.checksum(payload))
        buffer.writeBytes(payload)
    }
}

/// Why a connection was closed.
public enum FrameError: Error, Hashable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case badVersion(UInt8)
    case badKind(UInt8)
    case badChecksum(expected: UInt32, actual: UInt32)
    case tooShort(Int)
    /// The first bytes are a TLS record, not a frame: one side has TLS and the other not.
    case tlsRecord

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): return "frame of \(bytes) bytes exceeds the \(limit)-byte limit"
        case .badVersion(let version): return "unknown frame version \(version) (this build speaks \(Frame.version))"
        case .badKind(let kind): return "unknown frame kind \(kind)"
        case .badChecksum(let expected, let actual):
            return "frame checksum mismatch (header \(expected), payload \(actual))"
        case .tooShort(let length): return "frame length \(length) is shorter than its header"
        case .tlsRecord:
            return "the other side speaks TLS and this one does not: give both sides TLS (--tls-ca, --tls-cert, --tls-key) or neither"
        }
    }
}

/// Splits a byte stream into frames, rejecting malformed or oversized ones.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame
    /// The first frame on a connection is a hello; anything larger is refused at once, so a
    /// stranger cannot make the node wait for (or buffer) a huge first frame.
    public static let maxFirstFrameBytes = 1024
    public let maxFrameBytes: Int
    private var sawFirstFrame = false

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let limit = sawFirstFrame ? maxFrameBytes : Self.maxFirstFrameBytes
        if !sawFirstFrame, Self.startsWithTLSRecord(buffer) { throw FrameError.tlsRecord }
        guard let frame = try Self.parse(&buffer, maxFrameBytes: limit) else { return .needMoreData }
        sawFirstFrame = true
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    /// Whether the buffer starts like a TLS record (a handshake or an alert, version 3.x): no
    /// first frame does, as a hello is far shorter than the length those bytes would give.
    static func startsWithTLSRecord(_ buffer: ByteBuffer) -> Bool {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let major = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self)
        else { return false }
        return (type == 0x15 || type == 0x16) && major == 0x03
    }

    /// Reads one frame from the buffer, or nil when it does not hold a whole one yet.
    public static func parse(_ buffer: inout ByteBuffer, maxFrameBytes: Int) throws -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        let size = Int(length)
        guard size >= 6 else { throw FrameError.tooShort(size) }
        guard size - 6 <= maxFrameBytes else { throw FrameError.tooLarge(bytes: size - 6, limit: maxFrameBytes) }
        guard buffer.readableBytes >= 4 + size else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let version = buffer.readInteger(as: UInt8.self), let kindByte = buffer.readInteger(as: UInt8.self),
            let checksum = buffer.readInteger(as: UInt32.self), let payload = buffer.readBytes(length: size - 6)
        else { throw FrameError.tooShort(size) }
        guard version == Frame.version else { throw FrameError.badVersion(version) }
        guard let kind = Frame.Kind(rawValue: kindByte) else { throw FrameError.badKind(kindByte) }
        let actual = FrameChecksum.checksum(payload)
        guard actual == checksum else { throw FrameError.badChecksum(expected: checksum, actual: actual) }
        return Frame(kind: kind, payload: payload)
    }
}

/// Writes frames.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = Frame

    public init() {}

    public func encode(data: Frame, out: inout ByteBuffer) throws {
        data.write(to: &out)
    }
}
