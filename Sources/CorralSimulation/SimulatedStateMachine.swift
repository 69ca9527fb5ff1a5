import CorralRaft

/// The replicated application: a hash chain over the applied entries, the membership as of
/// the applied index, and the ids of the most recent commands (padding that makes snapshots
/// span several chunks).
struct SimulatedStateMachine: Equatable {
    private(set) var appliedIndex: UInt64 = 0
    /// `chain(i) = mix(chain(i-1), entryHash(i))`, with `chain(0) = 0`.
    private(set) var chain: UInt64 = 0
    private(set) var membership: Membership
    private(set) var commandCount: UInt64 = 0
    private(set) var recentCommands: [UInt64] = []

    static let recentLimit = 24

    init(membership: Membership) {
        self.membership = membership
    }

    /// Applies the next entry. The caller checks that it is contiguous.
    mutating func apply(_ entry: Entry) {
        appliedIndex = entry.index
        chain = Self.link(chain, Self.entryHash(entry))
        switch entry.payload {
        case .empty:
            break
        case .command(let bytes):
            commandCount += 1
            recentCommands.append(Command.id(of: bytes) ?? 0)
            if recentCommands.count > Self.recentLimit { recentCommands.removeFirst() }
        case .configChange(_, let next):
            membership = next
        }
    }

    // MARK: - Hashes

    /// A stable hash of an entry's term and payload.
    static func entryHash(_ entry: Entry) -> UInt64 {
        var hash = StableHash()
        hash.combine(entry.term)
        switch entry.payload {
        case .empty:
            hash.combine(UInt64(0))
        case .command(let bytes):
            hash.combine(UInt64(1))
            hash.combine(bytes)
        case .configChange(let change, let membership):
            hash.combine(UInt64(2))
            switch change {
            case .addLearner(let id): hash.combine(UInt64(10)); hash.combine(id)
            case .promote(let id): hash.combine(UInt64(11)); hash.combine(id)
            case .remove(let id): hash.combine(UInt64(12)); hash.combine(id)
            }
            for id in membership.voters.sorted() { hash.combine(id) }
            hash.combine(UInt64.max)
            for id in membership.learners.sorted() { hash.combine(id) }
        }
        return hash.value
    }

    static func link(_ chain: UInt64, _ entryHash: UInt64) -> UInt64 {
        var hash = StableHash()
        hash.combine(chain)
        hash.combine(entryHash)
        return hash.value
    }

    // MARK: - Snapshots

    /// The state as snapshot bytes (the membership travels in the snapshot's metadata).
    func serialized() -> [UInt8] {
        var words = [appliedIndex, chain, commandCount, UInt64(recentCommands.count)]
        words.append(contentsOf: recentCommands)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * 8)
        for word in words {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return bytes
    }

    /// Restores the state from a snapshot; nil when the bytes are not a valid state. A
    /// bootstrap snapshot (no bytes) gives the empty state at its index.
    static func restore(from snapshot: Snapshot) -> SimulatedStateMachine? {
        var machine = SimulatedStateMachine(membership: snapshot.metadata.membership)
        guard !snapshot.data.isEmpty else {
            guard snapshot.metadata.index == 0 else { return nil }
            return machine
        }
        guard snapshot.data.count % 8 == 0, snapshot.data.count >= 32 else { return nil }
        var words: [UInt64] = []
        for start in stride(from: 0, to: snapshot.data.count, by: 8) {
            var word: UInt64 = 0
            for byte in 0..<8 { word |= UInt64(snapshot.data[start + byte]) << UInt64(8 * byte) }
            words.append(word)
        }
        guard Int(words[3]) == words.count - 4, words[0] == snapshot.metadata.index else { return nil }
        machine.appliedIndex = words[0]
        machine.chain = words[1]
        machine.commandCount = words[2]
        machine.recentCommands = Array(words[4...])
        return machine
    }
}

/// A workload command's bytes: its unique id followed by a little filler.
enum Command {
    static func bytes(id: UInt64, fillerBytes: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: id >> UInt64(shift))) }
        bytes.append(contentsOf: repeatElement(UInt8(truncatingIfNeeded: id), count: fillerBytes))
        return bytes
    }

    static func id(of bytes: [UInt8]) -> UInt64? {
        guard bytes.count >= 8 else { return nil }
        var id: UInt64 = 0
        for byte in 0..<8 { id |= UInt64(bytes[byte]) << UInt64(8 * byte) }
        return id
    }
}
