/// The named form of vectors offered lately: offers of agents alike hold the same
/// quantities, and share one `ResourceQuantities` instead of building one each.
///
/// A direct-mapped table of `size` entries under a cheap multiplicative hash of the vector:
/// a lookup is one hash, one compare of the stored hash and one of the vectors, where a
/// `Dictionary` hashed every quantity through SipHash (most of the cost of a new offer's
/// public record). An entry is replaced by the next vector that maps to it.
struct QuantitiesMemo: Sendable {
    static let size = 1_024

    private struct Entry: Sendable {
        var hash: UInt64
        var vector: ResourceVector
        var quantities: ResourceQuantities
    }

    private var entries: [Entry?] = Array(repeating: nil, count: size)

    /// The vector's quantities, if remembered; `hash` is `hash(vector)`.
    func quantities(of vector: ResourceVector, hash: UInt64) -> ResourceQuantities? {
        guard let entry = entries[Self.slot(hash)], entry.hash == hash, entry.vector == vector else { return nil }
        return entry.quantities
    }

    /// Remembers the vector's quantities, in place of the entry its hash maps to.
    mutating func remember(_ quantities: ResourceQuantities, of vector: ResourceVector, hash: UInt64) {
        // A copy in storage of its own: sharing the offer's would make the offer's next
        // write (a partial decline, or its storage reused by a later offer) copy it.
        var own = ResourceVector(count: vector.millis.count)
        own.copy(from: vector)
        entries[Self.slot(hash)] = Entry(hash: hash, vector: own, quantities: quantities)
    }

    /// The top ten bits of the hash: 0..<1024.
    private static func slot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 54) }

    /// Forgets every entry (a resource kind was added: names of a vector may change meaning).
    mutating func removeAll() {
        for slot in entries.indices { entries[slot] = nil }
    }

    /// A 64-bit mix of the quantities, good in its top bits: each quantity times its own odd
    /// multiplier (products that do not wait on one another), summed, then mixed once.
    /// Vectors that collide only cost an eviction: a lookup compares the vectors too.
    static func hash(_ vector: ResourceVector) -> UInt64 {
        vector.millis.withUnsafeBufferPointer { values in
            var sum = UInt64(truncatingIfNeeded: values.count)
            var multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
            for value in values {
                sum &+= UInt64(bitPattern: value) &* multiplier
                multiplier &+= 0x6A09_E667_F3BC_C90A  // Even: the multiplier stays odd.
            }
            var hash = (sum ^ (sum >> 31)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 29
            return hash &* 0x94D0_49BB_1331_11EB
        }
    }
}
