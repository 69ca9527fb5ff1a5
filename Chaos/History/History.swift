/// The operations clients ran against a system, in invocation order, as the linearizability
/// checker reads them.
public struct History: Sendable, Hashable {
    /// Every operation; `operations[i].id == i`.
    public private(set) var operations: [ClientOperation]

    /// Takes operations in any order and numbers them by invocation time (ties keep their
    /// given order).
    public init(_ operations: [ClientOperation]) {
        let ordered = operations.enumerated().sorted {
            ($0.element.invokeNanos, $0.offset) < ($1.element.invokeNanos, $1.offset)
        }
        self.operations = ordered.enumerated().map { index, pair in
            var operation = pair.element
            operation.id = index
            return operation
        }
    }

    /// The keys the history touches, sorted.
    public var keys: [String] { Array(Set(operations.map(\.key))).sorted() }

    /// The operations on `key`, in invocation order.
    public func operations(on key: String) -> [ClientOperation] { operations.filter { $0.key == key } }

    /// How many operations of each kind ended with each outcome, e.g. for a run's report.
    public var counts: [ClientOperation.Kind: [ClientOperation.Outcome: Int]] {
        var counts: [ClientOperation.Kind: [ClientOperation.Outcome: Int]] = [:]
        for operation in operations { counts[operation.kind, default: [:]][operation.outcome, default: 0] += 1 }
        return counts
    }

    /// `writes ok 120 fail 3 info 4, reads ok 300 fail 2 info 5`.
    public var summary: String {
        let counts = self.counts
        return [ClientOperation.Kind.write, .read].map { kind in
            let outcomes = counts[kind] ?? [:]
            let parts = [ClientOperation.Outcome.ok, .fail, .info].map { "\($0.rawValue) \(outcomes[$0] ?? 0)" }
            return "\(kind.rawValue)s " + parts.joined(separator: " ")
        }.joined(separator: ", ")
    }
}
