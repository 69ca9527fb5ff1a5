/// Helpers for `UInt64` keys stored big-endian, so that byte order equals numeric order and
/// the default LMDB comparator sorts them numerically.
public enum BigEndianKey {
    /// The 8 big-endian bytes of `value`.
    public static func encode(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// The `UInt64` in 8 big-endian bytes, or nil when `bytes` is not exactly 8 bytes long.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            value = value << 8 | UInt64(byte)
        }
        return value
    }

    /// The `UInt64` in 8 big-endian bytes, or nil when `bytes` is not exactly 8 bytes long.
    public static func decode(_ bytes: [UInt8]) -> UInt64? {
        bytes.withUnsafeBytes { decode($0) }
    }
}
