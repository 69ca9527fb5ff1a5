/// Appends values in Corral's compact binary form: unsigned integers as LEB128 varints,
/// signed ones zig-zag encoded, byte strings and arrays prefixed by their varint length.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(reservingCapacity capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: - Scalars

    /// Appends one raw byte (tags, versions).
    public mutating func write(byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends an unsigned varint: 7 bits a byte, low bits first, high bit set on all but
    /// the last byte.
    public mutating func write(varint value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a signed integer, zig-zag encoded so small magnitudes stay short.
    public mutating func write(int value: Int) {
        let wide = Int64(value)
        write(varint: UInt64(bitPattern: (wide << 1) ^ (wide >> 63)))
    }

    /// Appends a bool as one byte, 0 or 1.
    public mutating func write(bool value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    // MARK: - Sequences

    /// Appends a length-prefixed byte string.
    public mutating func write(bytes value: [UInt8]) {
        write(varint: UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a set of node IDs, length-prefixed and sorted so equal sets encode equally.
    public mutating func write(ids: Set<UInt64>) {
        write(varint: UInt64(ids.count))
        for id in ids.sorted() {
            write(varint: id)
        }
    }

    /// Appends a length-prefixed array of values.
    public mutating func write<Value: RaftBinaryCodable>(array values: [Value]) {
        write(varint: UInt64(values.count))
        for value in values {
            value.encode(to: &self)
        }
    }
}
