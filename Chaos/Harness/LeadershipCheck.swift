/// Checks on the masters' views of leadership over a run: at most one leader per term, and
/// how long each leader fault went without a new leader.
public enum LeadershipCheck {
    /// A term in which more than one master was seen leading.
    public struct SplitTerm: Sendable, Hashable, Codable, CustomStringConvertible {
        public var term: UInt64
        public var leaders: [UInt64]
        /// The views that named them, for the report.
        public var evidence: [LeaderView]

        public var description: String {
            let seen = evidence.map { "m\($0.master) at \(Double($0.nanos) / 1e9) s: \($0.role), leader \($0.leader)" }
            return "term \(term) had \(leaders.count) leaders \(leaders.map { "m\($0)" }.joined(separator: ", ")) (\(seen.joined(separator: "; ")))"
        }
    }

    /// Every term in which two masters claimed leadership or were followed as leader.
    public static func splitTerms(_ views: [LeaderView]) -> [SplitTerm] {
        var named: [UInt64: [UInt64: LeaderView]] = [:]
        for view in views {
            if view.role == "leader" { named[view.term, default: [:]][view.master] = named[view.term]?[view.master] ?? view }
            if view.leader != 0 { named[view.term, default: [:]][view.leader] = named[view.term]?[view.leader] ?? view }
        }
        return named.keys.sorted().compactMap { term in
            guard let leaders = named[term], leaders.count > 1 else { return nil }
            let ids = leaders.keys.sorted()
            return SplitTerm(term: term, leaders: ids, evidence: ids.compactMap { leaders[$0] })
        }
    }

    /// The time from a leader fault to the first view of a leader in a later term.
    public struct Failover: Sendable, Hashable, Codable {
        /// Index of the fault in the run's fault records.
        public var fault: Int
        /// Nil when no new leader was seen.
        public var nanos: UInt64?
    }

    /// One entry per fault that hit the leader, in order. The clock starts at the fault, or
    /// at its heal when it took a majority down. After a partition only a leader on the
    /// majority side counts.
    public static func failovers(_ records: [FaultRecord], views: [LeaderView]) -> [Failover] {
        records.enumerated().filter { $0.element.hitLeader }.map { index, record in
            let from = record.failoverFromNanos
            let excluded = record.cannotLead
            let first = views.first {
                $0.nanos >= from && $0.role == "leader" && $0.term > record.termBefore && !excluded.contains($0.master)
            }
            return Failover(fault: index, nanos: first.map { $0.nanos - from })
        }
    }

    /// The median and maximum of the measured fail-overs, in seconds (nil when none).
    public static func medianAndMax(_ failovers: [Failover]) -> (median: Double, max: Double)? {
        let seconds = failovers.compactMap(\.nanos).map { Double($0) / 1e9 }
        guard let median = median(seconds), let max = seconds.max() else { return nil }
        return (median, max)
    }

    /// The median of `values` (nil when empty).
    public static func median(_ values: [Double]) -> Double? {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return nil }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
