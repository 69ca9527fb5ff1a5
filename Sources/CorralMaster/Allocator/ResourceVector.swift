/// Resource quantities as a dense array indexed by a `ResourceKinds` position: the
/// allocator's hot-loop form of `ResourceQuantities`, with no strings and no hashing.
///
/// Every vector held by one allocator has the same count; `widen(to:fill:)` pads them all
/// when a new resource name first appears.
struct ResourceVector: Hashable, Sendable {
    /// Thousandths of a unit, one per resource kind.
    var millis: [Int64]

    /// A vector of `count` equal values.
    init(count: Int, fill: Int64 = 0) { millis = Array(repeating: fill, count: count) }

    // The element-wise operations run over buffer pointers: the cycle does several per agent,
    // and without bounds checks the compiler turns each loop into a few vector instructions.
    // Vectors of one allocator have one count; a shorter operand of `add` or `subtract`
    // counts as zeros past its end.

    /// Whether every quantity is zero.
    var isZero: Bool {
        millis.withUnsafeBufferPointer { values in
            var any: Int64 = 0
            for index in values.indices { any |= values[index] }
            return any == 0
        }
    }

    /// The kinds held (non-zero), as bits: bit `k` for kind `k` when there are at most 64
    /// kinds; with more, all ones unless the vector is zero. Zero exactly when `isZero`.
    var nonZeroMask: UInt64 {
        millis.withUnsafeBufferPointer { values in
            guard values.count <= 64 else {
                var any: Int64 = 0
                for index in values.indices { any |= values[index] }
                return any == 0 ? 0 : ~0
            }
            var mask: UInt64 = 0
            for index in values.indices where values[index] != 0 { mask |= 1 << UInt64(index) }
            return mask
        }
    }

    /// Sets to zero the quantities of the kinds whose bits are set in `kinds` (kind `k` is
    /// bit `k`; at most 64 kinds).
    mutating func zero(kinds: UInt64) {
        guard kinds != 0 else { return }
        millis.withUnsafeMutableBufferPointer { values in
            var left = kinds
            while left != 0 {
                let index = left.trailingZeroBitCount
                if index < values.count { values[index] = 0 }
                left &= left &- 1
            }
        }
    }

    /// Adds `other` in place.
    mutating func add(_ other: ResourceVector) {
        let count = Swift.min(millis.count, other.millis.count)
        millis.withUnsafeMutableBufferPointer { values in
            other.millis.withUnsafeBufferPointer { added in
                for index in 0..<count { values[index] &+= added[index] }
            }
        }
    }

    /// Subtracts `other` in place, never below zero.
    mutating func subtract(_ other: ResourceVector) {
        let count = Swift.min(millis.count, other.millis.count)
        millis.withUnsafeMutableBufferPointer { values in
            other.millis.withUnsafeBufferPointer { taken in
                for index in 0..<count { values[index] = Swift.max(0, values[index] &- taken[index]) }
            }
        }
    }

    /// Lowers each quantity to at most the one in `other`.
    mutating func formMin(_ other: ResourceVector) {
        for index in millis.indices where other.millis[index] < millis[index] {
            millis[index] = other.millis[index]
        }
    }

    /// Whether every quantity is at most the one in `other`.
    func isLessThanOrEqual(_ other: ResourceVector) -> Bool {
        for index in millis.indices where millis[index] > other.millis[index] { return false }
        return true
    }

    /// Becomes a copy of `other` in its own storage: a scratch vector assigned this way stays
    /// uniquely referenced, so masking it afterwards allocates nothing (`=` would share
    /// `other`'s storage, and the first write would copy it).
    mutating func copy(from other: ResourceVector) {
        guard millis.count == other.millis.count else {
            millis = Array(other.millis)
            millis.reserveCapacity(other.millis.count)
            return
        }
        millis.withUnsafeMutableBufferPointer { values in
            other.millis.withUnsafeBufferPointer { source in
                for index in values.indices { values[index] = source[index] }
            }
        }
    }

    /// Pads the vector to `count` entries with `fill`.
    mutating func widen(to count: Int, fill: Int64 = 0) {
        if millis.count < count { millis.append(contentsOf: repeatElement(fill, count: count - millis.count)) }
    }

    /// The first four quantities (zero where there are fewer kinds), for inline comparisons.
    var head: SIMD4<Int64> {
        var head = SIMD4<Int64>(repeating: 0)
        for index in 0..<min(4, millis.count) { head[index] = millis[index] }
        return head
    }

    /// The largest fraction `millis[k] / total[k]` over kinds with a non-zero total: the
    /// dominant share of DRF.
    func dominantShare(of total: ResourceVector) -> Double {
        precondition(total.millis.count >= millis.count, "a total has every kind")
        return millis.withUnsafeBufferPointer { held in
            total.millis.withUnsafeBufferPointer { total in
                var share = 0.0
                for index in held.indices where total[index] > 0 && held[index] > 0 {
                    share = max(share, Double(held[index]) / Double(total[index]))
                }
                return share
            }
        }
    }
}

/// The resource names one allocator has seen, each with a dense index for `ResourceVector`.
struct ResourceKinds: Sendable {
    /// Names by index, in order of first appearance.
    private(set) var names: [String] = []
    /// Indices sorted by name, for building sorted `ResourceQuantities`.
    private(set) var sortedIndices: [Int] = []
    private var indexByName: [String: Int] = [:]
    /// The kinds reserved for a role (`cpus(ml)`), with that role; empty in a cluster
    /// without reservations, so the allocation cycle skips its masking.
    private(set) var reserved: [(index: Int, role: String)] = []
    /// The revocable kinds (`cpus[revocable]`), offered only to frameworks that take them.
    private(set) var revocable: [Int] = []

    /// Kinds every agent has, registered first so that they are the four a vector's `head`
    /// and a refuse filter keep inline, whatever names the first agent brings (reserved and
    /// revocable kinds sort between them: `cpus(web)`, `cpus[revocable]`).
    static let common = ["cpus", "mem", "disk", "ports"]

    init() {
        for name in Self.common {
            indexByName[name] = names.count
            names.append(name)
        }
        sortedIndices = names.indices.sorted { names[$0] < names[$1] }
    }

    /// How many kinds there are, i.e. every vector's count.
    var count: Int { names.count }

    /// The index of `name`, if it has been seen.
    func index(of name: String) -> Int? { indexByName[name] }

    /// Registers every name in `quantities`; returns true when a new kind appeared.
    mutating func register(_ quantities: ResourceQuantities) -> Bool {
        var added = false
        for entry in quantities.entries where indexByName[entry.name] == nil {
            indexByName[entry.name] = names.count
            if let role = ResourceMapping.reservedRole(ofKey: entry.name) { reserved.append((names.count, role)) }
            if ResourceMapping.isRevocable(key: entry.name) { revocable.append(names.count) }
            names.append(entry.name)
            added = true
        }
        if added { sortedIndices = names.indices.sorted { names[$0] < names[$1] } }
        return added
    }

    /// The dense form of `quantities`; names not registered are dropped.
    func vector(_ quantities: ResourceQuantities, fill: Int64 = 0) -> ResourceVector {
        var vector = ResourceVector(count: count, fill: fill)
        for entry in quantities.entries {
            if let index = indexByName[entry.name] { vector.millis[index] = entry.millis }
        }
        return vector
    }

    /// The named form of `vector`, sorted by name, zeros (and `Int64.max`, "unlimited") left out.
    func quantities(_ vector: ResourceVector) -> ResourceQuantities {
        // Sized to what it will hold: an offer keeps its quantities until it is answered,
        // and room for every kind (most of them zero in an offer) made a cycle's offers
        // spread over several times the memory.
        var held = 0
        for index in sortedIndices where vector.millis[index] > 0 && vector.millis[index] != Int64.max { held += 1 }
        var entries: [ResourceQuantities.Entry] = []
        entries.reserveCapacity(held)
        for index in sortedIndices where vector.millis[index] > 0 && vector.millis[index] != Int64.max {
            entries.append(ResourceQuantities.Entry(name: names[index], millis: vector.millis[index]))
        }
        return ResourceQuantities(sortedEntries: entries)
    }
}
