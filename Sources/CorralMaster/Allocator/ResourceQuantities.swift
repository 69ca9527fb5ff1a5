/// Amounts of named resources in Mesos's fixed-point form: each quantity is a count of
/// thousandths (`cpus:1.5` is 1500 millis), so sums and differences are exact.
///
/// This is the allocator's own, deliberately small resource type. The master maps Mesos
/// `Resources` (from `CorralModel`) to it at the boundary, in one place: every scalar
/// resource (`cpus`, `mem`, `disk`, `gpus`, …) becomes its name with `llround(value * 1000)`
/// millis, summed over reservations; a ranges resource such as `ports` becomes its count of
/// values (`[31000-32000]` is 1001 ports) times 1000; sets count their items the same way.
/// Because an offer always carries everything still available on an agent, the master can
/// rebuild the exact Mesos resources of an offer as the agent's total minus what is used and
/// offered elsewhere; the allocator only has to decide how much goes to whom.
public struct ResourceQuantities: Hashable, Sendable, CustomStringConvertible {
    /// One named quantity.
    public struct Entry: Hashable, Sendable {
        /// The resource name, e.g. `cpus`.
        public var name: String
        /// The amount in thousandths of a unit.
        public var millis: Int64
    }

    /// The non-zero quantities, sorted by name.
    public private(set) var entries: [Entry]

    /// No resources.
    public init() { entries = [] }

    /// Quantities in whole or fractional units, e.g. `["cpus": 1.5, "mem": 256]`; each value is
    /// rounded to the nearest thousandth as Mesos does.
    public init(_ units: [String: Double]) {
        var millis: [String: Int64] = [:]
        for (name, value) in units {
            let rounded = (value * 1000).rounded()
            millis[name] = rounded >= Double(Int64.max) ? Int64.max : Int64(max(0, rounded))
        }
        self.init(millis: millis)
    }

    /// Quantities already in thousandths of a unit.
    public init(millis: [String: Int64]) {
        entries = millis.filter { $0.value > 0 }.map { Entry(name: $0.key, millis: $0.value) }
            .sorted { $0.name < $1.name }
    }

    /// Entries known to be sorted by name, unique and positive.
    init(sortedEntries: [Entry]) { entries = sortedEntries }

    /// The amount of `name` in thousandths (zero when absent).
    public subscript(name: String) -> Int64 {
        entries.first { $0.name == name }?.millis ?? 0
    }

    /// Whether every quantity is zero.
    public var isEmpty: Bool { entries.isEmpty }

    /// The resource names present, sorted.
    public var names: [String] { entries.map(\.name) }

    /// Whether `other` fits inside these quantities, name by name.
    public func contains(_ other: ResourceQuantities) -> Bool {
        other.entries.allSatisfy { self[$0.name] >= $0.millis }
    }

    /// The sum, name by name.
    public static func + (lhs: ResourceQuantities, rhs: ResourceQuantities) -> ResourceQuantities {
        lhs.merged(with: rhs) { $0 &+ $1 }
    }

    /// The difference, name by name; a quantity never drops below zero.
    public static func - (lhs: ResourceQuantities, rhs: ResourceQuantities) -> ResourceQuantities {
        lhs.merged(with: rhs) { max(0, $0 - $1) }
    }

    /// Adds `other` in place.
    public static func += (lhs: inout ResourceQuantities, rhs: ResourceQuantities) { lhs = lhs + rhs }

    /// Subtracts `other` in place, never below zero.
    public static func -= (lhs: inout ResourceQuantities, rhs: ResourceQuantities) { lhs = lhs - rhs }

    /// Mesos's text form, e.g. `cpus:1.5;mem:256`.
    public var description: String {
        entries.map { entry in
            let whole = entry.millis / 1000
            let fraction = entry.millis % 1000
            if fraction == 0 { return "\(entry.name):\(whole)" }
            var digits = String(fraction + 1000).dropFirst()
            while digits.last == "0" { digits = digits.dropLast() }
            return "\(entry.name):\(whole).\(digits)"
        }.joined(separator: ";")
    }

    /// Walks both sorted entry lists once, combining equal names with `combine`.
    private func merged(
        with other: ResourceQuantities, _ combine: (Int64, Int64) -> Int64
    ) -> ResourceQuantities {
        var result: [Entry] = []
        result.reserveCapacity(max(entries.count, other.entries.count))
        var left = 0
        var right = 0
        while left < entries.count || right < other.entries.count {
            let name: String
            let value: Int64
            if right == other.entries.count
                || (left < entries.count && entries[left].name < other.entries[right].name)
            {
                name = entries[left].name
                value = combine(entries[left].millis, 0)
                left += 1
            } else if left == entries.count || other.entries[right].name < entries[left].name {
                name = other.entries[right].name
                value = combine(0, other.entries[right].millis)
                right += 1
            } else {
                name = entries[left].name
                value = combine(entries[left].millis, other.entries[right].millis)
                left += 1
                right += 1
            }
            if value > 0 { result.append(Entry(name: name, millis: value)) }
        }
        return ResourceQuantities(sortedEntries: result)
    }
}
