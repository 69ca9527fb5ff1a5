import CPrefetch

/// Every agent's total, used and offered resources, in one flat table in agent slot order:
/// three vectors of `kindCount` quantities an agent, side by side.
///
/// A cycle reads all three for every agent it visits, in slot order. Kept as three separately
/// allocated vectors an agent, they cost up to three cache misses an agent (and a retain and
/// release each); in one table they are a single stream the processor fetches ahead.
struct AgentQuantities: Sendable {
    enum Part: Int { case total = 0, used = 1, offered = 2 }

    /// Quantities a vector: the allocator's resource kinds.
    private(set) var kindCount: Int
    private var millis: [Int64] = []
    private var agentCount = 0

    init(kindCount: Int) { self.kindCount = kindCount }

    private func start(_ part: Part, _ agent: Int) -> Int { (agent * 3 + part.rawValue) * kindCount }

    /// Makes room for agent slots up to `count`, their quantities zero.
    mutating func reserveAgents(_ count: Int) {
        guard count > agentCount else { return }
        millis.append(contentsOf: repeatElement(0, count: (count - agentCount) * 3 * kindCount))
        agentCount = count
    }

    /// Pads every vector to `count` kinds with zeros.
    mutating func widen(to count: Int) {
        guard count > kindCount else { return }
        var wider = [Int64](repeating: 0, count: agentCount * 3 * count)
        for vector in 0..<agentCount * 3 {
            for kind in 0..<kindCount { wider[vector * count + kind] = millis[vector * kindCount + kind] }
        }
        millis = wider
        kindCount = count
    }

    /// A copy of one of the agent's vectors.
    func vector(_ part: Part, of agent: Int) -> ResourceVector {
        var vector = ResourceVector(count: kindCount)
        let start = start(part, agent)
        for kind in 0..<kindCount { vector.millis[kind] = millis[start + kind] }
        return vector
    }

    /// Replaces one of the agent's vectors (a shorter `vector` counts as zeros past its end).
    mutating func set(_ part: Part, of agent: Int, to vector: ResourceVector) {
        let start = start(part, agent)
        for kind in 0..<kindCount { millis[start + kind] = kind < vector.millis.count ? vector.millis[kind] : 0 }
    }

    /// Adds `amount` to one of the agent's vectors.
    mutating func add(_ amount: ResourceVector, to part: Part, of agent: Int) {
        let start = start(part, agent)
        let count = min(kindCount, amount.millis.count)
        millis.withUnsafeMutableBufferPointer { values in
            amount.millis.withUnsafeBufferPointer { added in
                for kind in 0..<count { values[start + kind] &+= added[kind] }
            }
        }
    }

    /// Subtracts `amount` from one of the agent's vectors, never below zero.
    mutating func subtract(_ amount: ResourceVector, from part: Part, of agent: Int) {
        let start = start(part, agent)
        let count = min(kindCount, amount.millis.count)
        millis.withUnsafeMutableBufferPointer { values in
            amount.millis.withUnsafeBufferPointer { taken in
                for kind in 0..<count { values[start + kind] = Swift.max(0, values[start + kind] &- taken[kind]) }
            }
        }
    }

    /// Starts loading the agent's three vectors into the cache, ahead of reading them.
    func prefetch(agent: Int) {
        guard agent < agentCount else { return }
        millis.withUnsafeBufferPointer { values in
            let start = start(.total, agent)
            // One hint a 64-byte line.
            for offset in stride(from: 0, to: 3 * kindCount, by: 8) { corral_prefetch(values.baseAddress! + start + offset) }
        }
    }

    /// Zeroes the agent's three vectors (its slot is freed).
    mutating func clear(agent: Int) {
        guard agent < agentCount else { return }
        let start = start(.total, agent)
        for index in start..<start + 3 * kindCount { millis[index] = 0 }
    }

    /// Sets `available` (of `kindCount` quantities) to the agent's total less what is used
    /// and offered, never below zero.
    func available(of agent: Int, into available: inout ResourceVector) {
        let count = kindCount
        // Written through a buffer pointer: a shorter vector would be written past its end.
        precondition(available.millis.count == count, "an available vector has every kind")
        let start = start(.total, agent)
        millis.withUnsafeBufferPointer { values in
            available.millis.withUnsafeMutableBufferPointer { result in
                for kind in 0..<count {
                    result[kind] = Swift.max(
                        0, values[start + kind] &- values[start + count + kind] &- values[start + 2 * count + kind])
                }
            }
        }
    }

    /// Whether what the agent has in use and on offer fits in its total.
    func fitsInTotal(agent: Int) -> Bool {
        let start = start(.total, agent)
        for kind in 0..<kindCount
        where millis[start + kindCount + kind] &+ millis[start + 2 * kindCount + kind] > millis[start + kind] {
            return false
        }
        return true
    }
}
