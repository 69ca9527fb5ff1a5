/// A 64-bit FNV-1a hash with a final mix. Unlike `Hasher`, it is the same in every
/// process, so hashes recorded in one run can be compared with those of a replay.
public struct StableHash: Sendable, Hashable {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func combine(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            state ^= v & 0xFF
            state = state &* 0x0000_0100_0000_01B3
            v >>= 8
        }
    }

    public mutating func combine(_ value: Int) {
        combine(UInt64(bitPattern: Int64(value)))
    }

    public mutating func combine(_ bytes: [UInt8]) {
        combine(UInt64(bytes.count))
        for byte in bytes {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01B3
        }
    }

    public mutating func combine(_ string: String) {
        combine(Array(string.utf8))
    }

    /// The hash so far, passed through a SplitMix64 finaliser.
    public var value: UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
