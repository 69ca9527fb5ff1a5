/// SplitMix64: a tiny generator used to expand one seed into independent streams.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Xoshiro256**: the simulator's generator. Seeded through SplitMix64, so any seed,
/// including zero, gives a good state.
public struct SimulationRNG: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// A generator for one concern (`stream`) of the run with this seed. Streams with
    /// different names never share state, so drawing more from one does not shift another.
    public init(seed: UInt64, stream: String, index: UInt64 = 0) {
        var hash = StableHash()
        hash.combine(seed)
        hash.combine(stream)
        hash.combine(index)
        self.init(seed: hash.value)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

extension RandomNumberGenerator {
    /// True with probability `p` (0 … 1).
    public mutating func chance(_ p: Double) -> Bool {
        guard p > 0 else { return false }
        return Double.random(in: 0..<1, using: &self) < p
    }
}
