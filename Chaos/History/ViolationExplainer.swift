/// Turns "no order explains this key" into a short account: the operation whose result could
/// not be explained, and the fewest operations around it that are already contradictory.
struct ViolationExplainer {
    let key: String
    /// Every operation on the key, as recorded (failed ones included, for the account).
    let all: [ClientOperation]
    /// The operations the search considered.
    let reduced: [ClientOperation]
    let search: ([ClientOperation]) -> RegisterSearch.Result

    /// How many earlier writes to try as "the write that overwrote the value".
    private let overwriteCandidates = 64

    func explain(_ blocked: ClientOperation) -> Violation {
        guard blocked.kind == .read else { return around(blocked, reason: "no order of the operations explains write \(blocked.shownValue)") }
        let value = blocked.value
        let shown = blocked.shownValue
        let writers = all.filter { $0.kind == .write && $0.value == value }
        let live = reduced.filter { $0.kind == .write && $0.value == value }
        let failed = writers.filter { $0.outcome == .fail }
        if value != nil, live.isEmpty {
            if failed.isEmpty {
                return violation(blocked, [blocked], reason: "the read returned \(shown), which no operation ever wrote")
            }
            return violation(
                blocked, [blocked] + failed,
                reason: "the read returned \(shown), which only a write that FAILED wrote (failed means definitely not applied, e.g. HTTP 503)")
        }
        if value != nil, contradicts([blocked] + live) {
            return violation(blocked, [blocked] + original(live), reason: "the read returned \(shown), but that write began only after the read completed")
        }
        let before = reduced.filter {
            $0.kind == .write && $0.outcome == .ok && $0.value != value
                && ($0.completeNanos ?? .max) < blocked.invokeNanos
        }
        for overwrite in before.sorted(by: { ($0.completeNanos ?? 0) > ($1.completeNanos ?? 0) }).prefix(overwriteCandidates)
        where contradicts([blocked] + live + [overwrite]) {
            let reason = value == nil
                ? "the read returned absent, but \(overwrite.shownValue) was written before the read began"
                : "the read returned \(shown), a stale value: \(overwrite.shownValue) overwrote it and completed before the read began"
            return violation(blocked, original([blocked] + live + [overwrite]), reason: reason)
        }
        // A read that finished before this one began already saw a value written after ours.
        let earlierReads = reduced.filter {
            $0.kind == .read && $0.value != value && ($0.completeNanos ?? .max) < blocked.invokeNanos
        }
        for read in earlierReads.reversed().prefix(overwriteCandidates) {
            let witness = [blocked] + live + [read] + reduced.filter { $0.kind == .write && $0.value == read.value }
            guard contradicts(witness) else { continue }
            return violation(
                blocked, original(witness),
                reason: "the read returned \(shown), but an earlier read (#\(read.id), completed before this one began) "
                    + "already returned the newer \(read.shownValue)")
        }
        return around(blocked, reason: "no order of the operations before and during the read explains its result \(shown)")
    }

    private func contradicts(_ operations: [ClientOperation]) -> Bool {
        if case .violation = search(operations.sorted { $0.id < $1.id }) { return true }
        return false
    }

    private func violation(_ blocked: ClientOperation, _ operations: [ClientOperation], reason: String) -> Violation {
        Violation(
            key: key, unexplained: original([blocked])[0], operations: operations.sorted { $0.id < $1.id },
            isMinimalWitness: true, reason: reason)
    }

    /// The recorded form of operations the reduction may have tightened.
    private func original(_ operations: [ClientOperation]) -> [ClientOperation] {
        operations.map { operation in all.first { $0.id == operation.id } ?? operation }
    }

    /// No small witness: show the writes of the value, the last writes before the operation
    /// and everything that overlapped it.
    private func around(_ blocked: ClientOperation, reason: String) -> Violation {
        let end = blocked.completeNanos ?? .max
        let overlapping = all.filter { $0.invokeNanos <= end && ($0.completeNanos ?? .max) >= blocked.invokeNanos && $0.outcome != .fail }
        let earlier = all.filter { $0.kind == .write && $0.outcome == .ok && ($0.completeNanos ?? .max) < blocked.invokeNanos }.suffix(3)
        let writers = all.filter { $0.kind == .write && $0.value == blocked.value }
        var picked: [Int: ClientOperation] = [:]
        for operation in writers + earlier + overlapping.prefix(12) { picked[operation.id] = operation }
        return Violation(
            key: key, unexplained: original([blocked])[0], operations: picked.values.sorted { $0.id < $1.id },
            isMinimalWitness: false, reason: reason)
    }
}

extension ClientOperation {
    /// The value in quotes, or "absent".
    var shownValue: String { value.map { "\"\($0)\"" } ?? "absent" }
}
