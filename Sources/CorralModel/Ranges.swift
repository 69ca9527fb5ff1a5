/// `Value.Range`: an inclusive range of unsigned integers, `{"begin", "end"}`.
public struct ValueRange: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The first value in the range.
    public var begin: UInt64
    /// The last value in the range (inclusive).
    public var end: UInt64

    /// Makes a range; `begin` should not exceed `end`.
    public init(begin: UInt64, end: UInt64) {
        self.begin = begin
        self.end = end
    }

    /// Makes a range from a closed Swift range.
    public init(_ range: ClosedRange<UInt64>) {
        self.init(begin: range.lowerBound, end: range.upperBound)
    }

    enum CodingKeys: String, CodingKey { case begin, end }

    /// Decodes `{"begin", "end"}`; numbers written as strings are accepted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        begin = try container.decodeInteger(UInt64.self, forKey: .begin)
        end = try container.decodeInteger(UInt64.self, forKey: .end)
    }

    /// How many values the range holds (0 when `begin > end`).
    public var count: UInt64 { begin > end ? 0 : end - begin &+ 1 }

    /// `[begin-end]`, as Mesos prints ranges.
    public var description: String { "[\(begin)-\(end)]" }
}

/// `Value.Ranges`: `{"range": [...]}`, a set of integers as a list of inclusive ranges.
///
/// Arithmetic works on the normalized form Mesos uses (`src/v1/values.cpp`): ranges sorted
/// by `begin`, with overlapping and adjacent ranges coalesced (`[1-2],[3-4]` is `[1-4]`).
public struct Ranges: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The ranges, in the order given (normalized after any arithmetic).
    @Repeated public var range: [ValueRange]

    /// Wraps a list of ranges as given.
    public init(_ range: [ValueRange] = []) { self.range = range }

    /// Builds ranges from closed Swift ranges.
    public init(_ ranges: ClosedRange<UInt64>...) { self.init(ranges.map(ValueRange.init)) }

    /// The same integers as sorted, disjoint, non-adjacent ranges; empty ranges dropped.
    public var normalized: Ranges {
        let sorted = range.filter { $0.begin <= $0.end }.sorted { $0.begin < $1.begin }
        var merged: [ValueRange] = []
        merged.reserveCapacity(sorted.count)
        for next in sorted {
            if let last = merged.last, last.end == UInt64.max || next.begin <= last.end + 1 {
                merged[merged.count - 1].end = max(last.end, next.end)
            } else {
                merged.append(next)
            }
        }
        return Ranges(merged)
    }

    /// Whether the ranges hold no integer.
    public var isEmpty: Bool { range.allSatisfy { $0.begin > $0.end } }

    /// How many integers the ranges hold.
    public var count: UInt64 { normalized.range.reduce(0) { $0 &+ $1.count } }

    /// Whether the integer is in one of the ranges.
    public func contains(_ value: UInt64) -> Bool {
        range.contains { $0.begin <= value && value <= $0.end }
    }

    /// Whether every integer of `other` is also in these ranges.
    public func contains(_ other: Ranges) -> Bool {
        let mine = normalized.range
        for needed in other.normalized.range {
            // After normalization a contained range lies inside exactly one of ours.
            guard mine.contains(where: { $0.begin <= needed.begin && needed.end <= $0.end }) else {
                return false
            }
        }
        return true
    }

    /// The union, normalized.
    public static func + (lhs: Ranges, rhs: Ranges) -> Ranges {
        Ranges(lhs.range + rhs.range).normalized
    }

    /// The integers of `lhs` that are not in `rhs`, normalized.
    public static func - (lhs: Ranges, rhs: Ranges) -> Ranges {
        var remaining = lhs.normalized.range
        for cut in rhs.normalized.range {
            var next: [ValueRange] = []
            next.reserveCapacity(remaining.count + 1)
            for piece in remaining {
                if cut.end < piece.begin || cut.begin > piece.end {
                    next.append(piece)
                    continue
                }
                if cut.begin > piece.begin {
                    next.append(ValueRange(begin: piece.begin, end: cut.begin - 1))
                }
                if cut.end < piece.end {
                    next.append(ValueRange(begin: cut.end + 1, end: piece.end))
                }
            }
            remaining = next
        }
        return Ranges(remaining)
    }

    /// Compares the integers held, not the way they are written.
    public static func == (lhs: Ranges, rhs: Ranges) -> Bool {
        lhs.normalized.range == rhs.normalized.range
    }

    /// Hashes the normalized form, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(normalized.range) }

    /// `[31000-31004, 31006-32000]`.
    public var description: String {
        "[" + range.map { "\($0.begin)-\($0.end)" }.joined(separator: ", ") + "]"
    }
}

extension Value {
    /// `Value.Scalar`.
    public typealias Scalar = CorralModel.Scalar
    /// `Value.Range`.
    public typealias Range = ValueRange
    /// `Value.Ranges`.
    public typealias Ranges = CorralModel.Ranges
}

extension Value.ValueSet {
    /// Whether every item of `other` is in this set.
    public func contains(_ other: Value.ValueSet) -> Bool {
        let mine = Set(item)
        return other.item.allSatisfy { mine.contains($0) }
    }

    /// The union; items keep their first position.
    public static func + (lhs: Value.ValueSet, rhs: Value.ValueSet) -> Value.ValueSet {
        var seen = Set(lhs.item)
        var items = lhs.item
        for item in rhs.item where seen.insert(item).inserted { items.append(item) }
        return Value.ValueSet(items)
    }

    /// The items of `lhs` not in `rhs`.
    public static func - (lhs: Value.ValueSet, rhs: Value.ValueSet) -> Value.ValueSet {
        let removed = Set(rhs.item)
        return Value.ValueSet(lhs.item.filter { !removed.contains($0) })
    }

    /// Compares as sets: order and duplicates do not matter.
    public static func == (lhs: Value.ValueSet, rhs: Value.ValueSet) -> Bool {
        Set(lhs.item) == Set(rhs.item)
    }

    /// Hashes as a set, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(Set(item)) }
}
