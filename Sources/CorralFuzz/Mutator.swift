import CorralScheduler

/// Makes the input of one fuzz iteration from the corpus: a seeded choice of input and of
/// one to four mutations. Iteration `i` of seed `s` always gives the same input, so a finding
/// replays from its seed and iteration as well as from the saved file.
public struct Mutator: Sendable {
    /// The inputs mutations start from.
    public let corpus: [[UInt8]]
    /// Whether token-level text mutations are used too.
    public let format: FuzzTarget.Format
    /// The largest input made; larger results are truncated.
    public let maximumBytes: Int

    /// Makes a mutator over a non-empty `corpus`.
    public init(corpus: [[UInt8]], format: FuzzTarget.Format, maximumBytes: Int = 64 << 10) {
        self.corpus = corpus.isEmpty ? [[]] : corpus
        self.format = format
        self.maximumBytes = maximumBytes
    }

    /// The input of iteration `iteration` under `seed`.
    public func input(seed: UInt64, iteration: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed ^ (iteration &* 0xD1B5_4A32_D192_ED03))
        var bytes = corpus[Int(random.next() % UInt64(corpus.count))]
        // One in 16 inputs is a seed as it is, so the valid path is exercised too.
        if random.next() % 16 == 0 { return bytes }
        let rounds = 1 + Int(random.next() % 4)
        for _ in 0..<rounds {
            if format == .text, random.next() % 2 == 0 {
                TextMutations.apply(to: &bytes, &random)
            } else {
                mutateBytes(&bytes, &random)
            }
            // Truncated after every round: repeated duplications would otherwise grow the
            // input geometrically (a 1,000-fold copy of a 1,000-fold copy…).
            if bytes.count > maximumBytes { bytes.removeLast(bytes.count - maximumBytes) }
        }
        return bytes
    }

    /// Bytes a parser most often mishandles.
    static let interestingBytes: [UInt8] = [0, 0xff, 0x7f, 0x80, 0x01, 0x0a, 0x22, 0x5c]

    private func mutateBytes(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        guard !bytes.isEmpty else {
            bytes = [Self.interestingBytes[Int(random.next() % 8)]]
            return
        }
        let position = Int(random.next() % UInt64(bytes.count))
        switch random.next() % 9 {
        case 0:
            bytes[position] ^= 1 << UInt8(random.next() % 8)
        case 1:
            bytes[position] = Self.interestingBytes[Int(random.next() % UInt64(Self.interestingBytes.count))]
        case 2:
            let length = 1 + Int(random.next() % 8)
            bytes.insert(contentsOf: (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position)
        case 3:
            let end = min(bytes.count, position + 1 + Int(random.next() % 32))
            bytes.removeSubrange(position..<end)
        case 4:
            let end = min(bytes.count, position + 1 + Int(random.next() % 64))
            let copy = bytes[position..<end]
            bytes.insert(contentsOf: copy, at: Int(random.next() % UInt64(bytes.count + 1)))
        case 5:
            bytes.removeLast(bytes.count - position)
        case 6:
            let other = corpus[Int(random.next() % UInt64(corpus.count))]
            let cut = other.isEmpty ? 0 : Int(random.next() % UInt64(other.count))
            bytes = Array(bytes[..<position]) + other[cut...]
        case 7:
            // A big-endian or little-endian integer overwritten with an edge value.
            let values: [UInt64] = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, .max, .max / 2 + 1]
            var value = values[Int(random.next() % UInt64(values.count))]
            let width = [2, 4, 8][Int(random.next() % 3)]
            for offset in 0..<width where position + offset < bytes.count {
                bytes[position + offset] = UInt8(truncatingIfNeeded: random.next() % 2 == 0 ? value >> 56 : value)
                value = random.next() % 2 == 0 ? value << 8 : value >> 8
            }
        default:
            let count = 1 + Int(random.next() % 256)
            bytes.insert(contentsOf: [UInt8](repeating: bytes[position], count: count), at: position)
        }
    }
}
