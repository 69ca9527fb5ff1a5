extension HierarchicalAllocator {
    /// Buffers reused across the agents of one cycle, and the per-role facts a cycle reads
    /// for every agent, worked out once at its start.
    struct CycleScratch {
        var available: ResourceVector
        /// The kinds `available` holds any of, as bits (`ResourceVector.nonZeroMask`).
        var availableMask: UInt64 = 0
        var offerable: ResourceVector
        var offeredHere: [Int] = []
        /// Clients offered each agent in the guarantee stage: still one offer per client and
        /// agent in the whole cycle.
        var offeredInGuaranteeStage: [Int: [Int]] = [:]
        /// By role index: the reserved kinds the role may not be offered (those reserved for
        /// roles other than it and its ancestors); empty without reservations.
        var denied: [[Int]] = []
        /// Whether a kind's bit stands for that kind alone (at most 64 kinds). Otherwise
        /// every mask below is all ones and decides nothing: the vectors do.
        var exactMasks = false
        /// By role index: every kind but those in `denied`, as bits.
        var allowed: [UInt64] = []
        /// The revocable kinds, as bits.
        var revocableMask: UInt64 = 0
        /// By role index: whether the role or an ancestor has a quota limit.
        var capped: [Bool] = []
        /// The offerable without its revocable kinds, for a framework that does not take them.
        var firm: ResourceVector
        /// The kinds past the fourth the offerable holds any of (`OfferFilter.covers`).
        var nonZeroTail: [Int] = []
        /// The kind bits `nonZeroTail` was last set from (`setIndices`).
        var nonZeroTailBits: UInt64 = ~0
        /// The same for `firm`.
        var firmNonZeroTail: [Int] = []
        var firmNonZeroTailBits: UInt64 = ~0
        /// By client index: `mayBeOffered` (subscribed, not suppressed, its framework
        /// registered), `takesRevocable` (its framework does) and `constrained` (it has
        /// eligible agents), none of which a cycle changes.
        var clientFlags: [UInt8] = []
        static let mayBeOffered: UInt8 = 1
        static let takesRevocable: UInt8 = 2
        static let constrained: UInt8 = 4
        /// By role index, with revocable kinds: whether any of the role's clients that may be
        /// offered takes revocable resources (so an agent with only revocable resources left
        /// is not scanned client by client in a role where no one takes them).
        var takesRevocable: [Bool] = []

        /// Sets `indices` to the positions of the bits of `bits` from `start` on, in order,
        /// unless they are already those of `setFrom` (the bits they were last set from, or
        /// ~0 after they were set another way): consecutive agents mostly hold the same kinds.
        static func setIndices(of bits: UInt64, from start: Int, into indices: inout [Int], setFrom: inout UInt64) {
            var left = start < 64 ? bits & ~((1 << UInt64(start)) &- 1) : 0
            // `left` never has a bit below `start`, so it is never ~0.
            guard left != setFrom else { return }
            setFrom = left
            indices.removeAll(keepingCapacity: true)
            while left != 0 {
                indices.append(left.trailingZeroBitCount)
                left &= left &- 1
            }
        }

        init(count: Int) {
            available = ResourceVector(count: count)
            offerable = ResourceVector(count: count)
            firm = ResourceVector(count: count)
        }

        /// Works out `exactMasks`, `allowed` and `revocableMask` from `denied`.
        mutating func prepareMasks(kinds: ResourceKinds, roleCount: Int) {
            exactMasks = kinds.count <= 64
            guard exactMasks else {
                allowed = Array(repeating: ~0, count: roleCount)
                revocableMask = 0
                return
            }
            revocableMask = kinds.revocable.reduce(0) { $0 | (1 << UInt64($1)) }
            allowed = (0..<roleCount).map { role in
                guard role < denied.count else { return ~0 }
                return denied[role].reduce(~0) { $0 & ~(1 << UInt64($1)) }
            }
        }
    }
}
