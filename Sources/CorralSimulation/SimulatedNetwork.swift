import CorralRaft

/// The simulated network between nodes 1…n: per-link latency, loss, duplication and
/// reordering, partitions (links cut one way or both) and clogged links that hold messages
/// until they are unclogged.
///
/// Each directed link draws from its own generator, so the randomness a message sees does not
/// depend on the order in which a node addresses different peers.
struct SimulatedNetwork {
    /// A message on its way, and when it arrives.
    struct Delivery {
        var message: Message
        var time: UInt64
        /// Tie-breaker for the event queue, derived from the link and its message count.
        var key: UInt64
    }

    private struct Link {
        var rng: SimulationRNG
        var sent: UInt64 = 0
        var cut = false
        var clogged = false
        var held: [Message] = []
    }

    let nodeCount: Int
    var dropProbability: Double
    var duplicateProbability: Double
    var slowMessageProbability: Double
    private var links: [Link]

    init(nodeCount: Int, seed: UInt64, faults: FaultMix) {
        self.nodeCount = nodeCount
        dropProbability = faults.dropProbability
        duplicateProbability = faults.duplicateProbability
        slowMessageProbability = faults.slowMessageProbability
        links = (0..<(nodeCount * nodeCount)).map { index in
            Link(rng: SimulationRNG(seed: seed, stream: "network-link", index: UInt64(index)))
        }
    }

    private func linkIndex(from: NodeID, to: NodeID) -> Int? {
        guard from >= 1, to >= 1, from <= UInt64(nodeCount), to <= UInt64(nodeCount) else { return nil }
        return Int(from - 1) * nodeCount + Int(to - 1)
    }

    // MARK: - Sending

    /// Sends `message` at `now`: zero, one or two deliveries (held while the link is clogged).
    mutating func send(_ message: Message, now: UInt64) -> [Delivery] {
        guard let index = linkIndex(from: message.from, to: message.to), !links[index].cut else { return [] }
        if links[index].clogged {
            links[index].held.append(message)
            return []
        }
        return transmit(message, link: index, now: now)
    }

    private mutating func transmit(_ message: Message, link index: Int, now: UInt64) -> [Delivery] {
        var link = links[index]
        defer { links[index] = link }
        if link.rng.chance(dropProbability) { return [] }
        let copies = link.rng.chance(duplicateProbability) ? 2 : 1
        var deliveries: [Delivery] = []
        for _ in 0..<copies {
            var latency = UInt64.random(in: 500...5_000, using: &link.rng)
            if link.rng.chance(slowMessageProbability) {
                latency += UInt64.random(in: 20_000...300_000, using: &link.rng)
            }
            link.sent += 1
            let key = (UInt64(index) << 40) | (link.sent & 0xFF_FFFF_FFFF)
            deliveries.append(Delivery(message: message, time: now + latency, key: key))
        }
        return deliveries
    }

    /// Whether a message on its way from `from` to `to` still gets through (not cut since).
    func isOpen(from: NodeID, to: NodeID) -> Bool {
        guard let index = linkIndex(from: from, to: to) else { return false }
        return !links[index].cut
    }

    // MARK: - Partitions and clogging

    /// Cuts or restores the link from `from` to `to`.
    mutating func setCut(from: NodeID, to: NodeID, _ cut: Bool) {
        guard let index = linkIndex(from: from, to: to) else { return }
        links[index].cut = cut
    }

    /// Restores every cut link.
    mutating func healCuts() {
        for index in links.indices { links[index].cut = false }
    }

    /// Clogs the link from `from` to `to`: its messages wait until it is unclogged.
    mutating func clog(from: NodeID, to: NodeID) {
        guard let index = linkIndex(from: from, to: to) else { return }
        links[index].clogged = true
    }

    /// Unclogs a link and sends what it held.
    mutating func unclog(from: NodeID, to: NodeID, now: UInt64) -> [Delivery] {
        guard let index = linkIndex(from: from, to: to), links[index].clogged else { return [] }
        links[index].clogged = false
        let held = links[index].held
        links[index].held.removeAll()
        return held.flatMap { transmit($0, link: index, now: now) }
    }

    /// Every directed link between distinct nodes, in a fixed order.
    var allLinks: [(from: NodeID, to: NodeID)] {
        var result: [(from: NodeID, to: NodeID)] = []
        for from in 1...UInt64(nodeCount) {
            for to in 1...UInt64(nodeCount) where from != to { result.append((from, to)) }
        }
        return result
    }

    /// Stops dropping, duplicating and delaying messages; cuts and clogs are healed separately.
    mutating func stopLoss() {
        dropProbability = 0
        duplicateProbability = 0
        slowMessageProbability = 0
    }
}
