/// Checks a key-value history for linearizability, one register per key (P-compositionality:
/// a history is linearizable exactly when each key's sub-history is).
///
/// Before searching, each key's operations are reduced, which never changes the verdict:
/// - failed operations are removed (they did not happen);
/// - reads that failed or are indeterminate are dropped (they observed nothing);
/// - an indeterminate write whose value no successful read returned is dropped: it may
///   take effect "never", and if it took effect at some point, no read saw it, so dropping
///   it leaves every explanation valid;
/// - an indeterminate write whose value no other write on the key wrote must take effect
///   before the first read that returned that value completes, so that becomes its return.
/// Indeterminate writes left (their value written twice) stay open to the end of time.
///
/// The search is bounded: a key that needs more steps or memory than the limits answers
/// `.unknown`, never `.linearizable`.
public struct LinearizabilityChecker: Sendable {
    /// Search steps per key before giving up.
    public var maxSteps: Int
    /// Memory for the search's cache of explored states per key, in 64-bit words (each
    /// state holds one bit per operation).
    public var maxCachedWords: Int

    public init(maxSteps: Int = 20_000_000, maxCachedWords: Int = 16 << 20) {
        self.maxSteps = maxSteps
        self.maxCachedWords = maxCachedWords
    }

    /// Checks every key of `history`.
    public func check(_ history: History) -> CheckReport {
        var report = CheckReport(verdicts: [:], checkedOperations: [:], searchSteps: [:])
        var byKey: [String: [ClientOperation]] = [:]
        for operation in history.operations { byKey[operation.key, default: []].append(operation) }
        for (key, operations) in byKey {
            let reduced = Self.reduce(operations)
            report.checkedOperations[key] = reduced.count
            let (verdict, steps) = verdict(key: key, all: operations, reduced: reduced)
            report.verdicts[key] = verdict
            report.searchSteps[key] = steps
        }
        return report
    }

    private func verdict(key: String, all: [ClientOperation], reduced: [ClientOperation]) -> (KeyVerdict, Int) {
        switch search(reduced) {
        case .linearizable(let steps):
            return (.linearizable, steps)
        case .limitReached(let steps, let states):
            return (.unknown(
                "the search stopped after \(steps) steps and \(states) cached states over \(reduced.count) operations "
                    + "without deciding (raise maxSteps/maxCachedWords or shorten the run)"), steps)
        case .violation(let blocked, let steps):
            let explainer = ViolationExplainer(key: key, all: all, reduced: reduced) { self.search($0) }
            return (.violation(explainer.explain(reduced[blocked])), steps)
        }
    }

    /// Runs the search on already reduced operations.
    func search(_ operations: [ClientOperation]) -> RegisterSearch.Result {
        var values: [String: Int] = [:]
        func intern(_ value: String?) -> Int {
            guard let value else { return 0 }
            if let known = values[value] { return known }
            values[value] = values.count + 1
            return values.count
        }
        let entries = operations.map { operation in
            RegisterSearch.Entry(
                isWrite: operation.kind == .write, value: intern(operation.value),
                callNanos: operation.invokeNanos, returnNanos: operation.completeNanos)
        }
        return RegisterSearch(entries: entries, maxSteps: maxSteps, maxCachedWords: maxCachedWords).run()
    }

    /// The operations of one key that the search needs, as described on the type.
    static func reduce(_ operations: [ClientOperation]) -> [ClientOperation] {
        let reads = operations.filter { $0.kind == .read && $0.outcome == .ok }
        var firstReadEnd: [String?: UInt64] = [:]
        for read in reads {
            let end = read.completeNanos ?? .max
            firstReadEnd[read.value] = min(firstReadEnd[read.value] ?? .max, end)
        }
        let writes = operations.filter { $0.kind == .write && $0.outcome != .fail }
        var writers: [String?: Int] = [:]
        for write in writes { writers[write.value, default: 0] += 1 }
        var reduced: [ClientOperation] = []
        for operation in operations {
            switch (operation.kind, operation.outcome) {
            case (_, .fail), (.read, .info):
                continue
            case (.write, .info):
                guard let observedBy = firstReadEnd[operation.value] else { continue }
                var write = operation
                if writers[operation.value] == 1 { write.completeNanos = max(observedBy, operation.invokeNanos) }
                reduced.append(write)
            default:
                reduced.append(operation)
            }
        }
        return reduced
    }
}
