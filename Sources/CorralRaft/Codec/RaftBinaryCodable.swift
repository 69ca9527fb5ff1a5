/// A Raft value with a compact, versioned binary form, used by log storage and the network
/// transport.
///
/// `encoded()` writes a format-version byte and then the value; `init(decoding:)` checks the
/// version, decodes, and rejects trailing bytes. Nested values (an entry inside an append
/// request) are written without their own version byte.
public protocol RaftBinaryCodable {
    /// Appends the value, without a version byte.
    func encode(to writer: inout ByteWriter)
    /// Reads a value written by `encode(to:)`.
    init(from reader: inout ByteReader) throws(RaftCodecError)
}

/// The binary format's version and its tags.
public enum RaftCodec {
    /// The version byte that starts every top-level encoding.
    public static let formatVersion: UInt8 = 1
}

extension RaftBinaryCodable {
    /// The value's versioned binary encoding.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(byte: RaftCodec.formatVersion)
        encode(to: &writer)
        return writer.bytes
    }

    /// Decodes a versioned encoding made by `encoded()`; throws on any malformed input.
    public init(decoding bytes: [UInt8]) throws(RaftCodecError) {
        var reader = ByteReader(bytes, operation: "decode \(Self.self)")
        let version = try reader.readByte("format version")
        guard version == RaftCodec.formatVersion else {
            throw reader.error(.unsupportedVersion, "format version \(version), this build reads \(RaftCodec.formatVersion)")
        }
        self = try Self(from: &reader)
        try reader.expectEnd()
    }
}
