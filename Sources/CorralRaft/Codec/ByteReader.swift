/// Reads values written by `ByteWriter` from untrusted bytes: every read checks bounds and
/// ranges and throws `RaftCodecError`, never traps, and never allocates more than the input
/// could hold.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    /// The position of the next byte to read.
    public private(set) var offset: Int
    /// What is being decoded, for error messages.
    public let operation: String

    /// A reader at the start of `bytes`; `operation` names what is decoded, for errors.
    public init(_ bytes: [UInt8], operation: String) {
        self.bytes = bytes
        self.offset = 0
        self.operation = operation
    }

    /// How many bytes are left.
    public var remaining: Int { bytes.count - offset }

    // MARK: - Scalars

    /// Reads one raw byte; `what` names it in errors.
    public mutating func readByte(_ what: String) throws(RaftCodecError) -> UInt8 {
        guard offset < bytes.count else { throw error(.truncated, "input ended before \(what)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads an unsigned varint of at most 10 bytes that fits in 64 bits.
    public mutating func readVarint(_ what: String) throws(RaftCodecError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), through: 63, by: 7) {
            let byte = try readByte(what)
            let bits = UInt64(byte & 0x7F)
            if shift == 63, bits > 1 {
                throw error(.invalidValue, "\(what) overflows 64 bits")
            }
            value |= bits << shift
            if byte & 0x80 == 0 { return value }
        }
        throw error(.invalidValue, "\(what) is a varint longer than 10 bytes")
    }

    /// Reads a zig-zag encoded signed integer that fits in `Int`.
    public mutating func readInt(_ what: String) throws(RaftCodecError) -> Int {
        let raw = try readVarint(what)
        let wide = Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        guard let value = Int(exactly: wide) else { throw error(.invalidValue, "\(what) does not fit in Int") }
        return value
    }

    /// Reads a bool written as 0 or 1.
    public mutating func readBool(_ what: String) throws(RaftCodecError) -> Bool {
        switch try readByte(what) {
        case 0: return false
        case 1: return true
        case let other: throw error(.invalidValue, "\(what) is \(other), not a bool (0 or 1)")
        }
    }

    // MARK: - Sequences

    /// Reads an element count, rejecting one larger than the bytes left could hold when each
    /// element takes at least `minimumElementBytes`.
    public mutating func readCount(_ what: String, minimumElementBytes: Int = 1) throws(RaftCodecError) -> Int {
        let raw = try readVarint("\(what) count")
        guard raw <= UInt64(remaining / max(minimumElementBytes, 1)) else {
            throw error(.truncated, "\(what) claims \(raw) elements but only \(remaining) bytes are left")
        }
        return Int(raw)
    }

    /// Reads a length-prefixed byte string.
    public mutating func readBytes(_ what: String) throws(RaftCodecError) -> [UInt8] {
        let count = try readCount(what)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a length-prefixed set of node IDs.
    public mutating func readIDs(_ what: String) throws(RaftCodecError) -> Set<UInt64> {
        let count = try readCount(what)
        var ids = Set<UInt64>(minimumCapacity: count)
        for _ in 0..<count {
            ids.insert(try readVarint(what))
        }
        return ids
    }

    /// Reads a length-prefixed array of values.
    public mutating func readArray<Value: RaftBinaryCodable>(
        of type: Value.Type,
        _ what: String
    ) throws(RaftCodecError) -> [Value] {
        let count = try readCount(what)
        var values: [Value] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            values.append(try Value(from: &self))
        }
        return values
    }

    // MARK: - Errors

    /// An error at the current offset.
    public func error(_ code: RaftCodecError.Code, _ message: String) -> RaftCodecError {
        RaftCodecError(code: code, operation: operation, offset: offset, message: message)
    }

    /// Throws unless every byte was read.
    public func expectEnd() throws(RaftCodecError) {
        guard remaining == 0 else { throw error(.trailingBytes, "\(remaining) bytes left after the value") }
    }
}
