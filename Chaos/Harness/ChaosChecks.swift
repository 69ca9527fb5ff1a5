import CorralHistory

/// The checkers that run after every chaos run, over what it recorded: linearizability of
/// the history, one leader per term, and time to a new leader after each leader fault.
public enum ChaosChecks {
    /// Adds every finding to `summary`: violations (the run fails) and notes.
    public static func check(
        history: History, records: [FaultRecord], views: [LeaderView], bounds: Scenario.Bounds, into summary: inout ChaosSummary,
        checker: LinearizabilityChecker = LinearizabilityChecker()
    ) {
        summary.operations = history.summary
        summary.operationCount = history.operations.count
        let report = checker.check(history)
        for key in report.verdicts.keys.sorted() {
            switch report.verdicts[key] {
            case .violation(let violation):
                summary.linearizability[key] = "violation"
                summary.violations.append("not linearizable: \(violation)")
            case .unknown(let reason):
                summary.linearizability[key] = "unknown: \(reason)"
                summary.violations.append("linearizability of key \(key) undecided (the checker gave up, this is not a pass): \(reason)")
            default:
                summary.linearizability[key] = "linearizable"
            }
        }
        let counts = history.counts
        if (counts[.write]?[.ok] ?? 0) == 0 || (counts[.read]?[.ok] ?? 0) == 0 {
            summary.violations.append("liveness: no successful write or read at all (\(history.summary))")
        }
        for split in LeadershipCheck.splitTerms(views) { summary.violations.append("two leaders in one term: \(split)") }

        let failovers = LeadershipCheck.failovers(records, views: views)
        summary.failoverSeconds = failovers.map { $0.nanos.map { Double($0) / 1e9 } }
        if let stats = LeadershipCheck.medianAndMax(failovers) {
            summary.failoverMedianSeconds = stats.median
            summary.failoverMaxSeconds = stats.max
        }
        for failover in failovers {
            let record = records[failover.fault]
            guard let nanos = failover.nanos else {
                summary.violations.append("liveness: no new leader after fault \(record.planned) (leader m\(record.leaderBefore), term \(record.termBefore))")
                continue
            }
            let seconds = Double(nanos) / 1e9
            if seconds > bounds.failoverLimitSeconds {
                summary.violations.append(
                    "liveness: a new leader took \(String(format: "%.2f", seconds)) s after fault \(record.planned), over the \(bounds.failoverLimitSeconds) s limit")
            } else if seconds > bounds.failoverTargetSeconds {
                summary.notes.append(
                    "fail-over after \(record.planned) took \(String(format: "%.3f", seconds)) s, over the \(bounds.failoverTargetSeconds) s target")
            }
        }
    }
}
