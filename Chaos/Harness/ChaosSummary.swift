/// What one run found, written as `summary.json` and printed at its end.
public struct ChaosSummary: Sendable, Hashable, Codable {
    public var scenario: String
    public var seed: UInt64
    public var masters: Int
    /// How the masters were addressed (the loopback fallback, for now).
    public var network: String
    public var reportDirectory: String
    /// Empty when the run passed.
    public var violations: [String] = []
    /// Findings that are not violations, such as a fail-over slower than the target.
    public var notes: [String] = []
    public var operations: String = ""
    public var operationCount = 0
    public var faults: [String] = []
    /// Seconds from each leader fault to a new leader (nil: none seen).
    public var failoverSeconds: [Double?] = []
    public var failoverMedianSeconds: Double?
    public var failoverMaxSeconds: Double?
    public var failoverTargetSeconds: Double
    /// Seconds from the last heal until every master applied the same index (nil: never).
    public var convergenceSeconds: Double?
    /// The checker's verdict per key: "linearizable", "violation" or "unknown: why".
    public var linearizability: [String: String] = [:]
    public var elapsedSeconds = 0.0
    /// The task workload (with `agents`): what its schedulers did and saw, and the seconds
    /// until every agent and scheduler was back with the new leader after each leader fault.
    public var agents = 0
    public var tasks: String?
    public var reattachSeconds: [Double?] = []
    public var reattachMedianSeconds: Double?
    public var reattachMaxSeconds: Double?

    public init(scenario: String, seed: UInt64, masters: Int, network: String, reportDirectory: String, failoverTargetSeconds: Double) {
        self.scenario = scenario
        self.seed = seed
        self.masters = masters
        self.network = network
        self.reportDirectory = reportDirectory
        self.failoverTargetSeconds = failoverTargetSeconds
    }

    public var passed: Bool { violations.isEmpty }

    /// The printed summary: a verdict line, then what backs it.
    public var text: String {
        func seconds(_ value: Double?) -> String { value.map { "\(Int(($0 * 1000).rounded())) ms" } ?? "-" }
        var lines = [
            "\(passed ? "PASS" : "FAIL") \(scenario) seed \(seed): \(masters) masters, \(faults.count) faults, "
                + "\(operationCount) operations in \(String(format: "%.1f", elapsedSeconds)) s",
            "  operations: \(operations)",
            "  fail-over: median \(seconds(failoverMedianSeconds)), max \(seconds(failoverMaxSeconds)) "
                + "(target \(seconds(failoverTargetSeconds)); \(failoverSeconds.map { seconds($0) }.joined(separator: ", ")))",
            "  convergence (every master caught up, after the workload): \(seconds(convergenceSeconds))",
            "  linearizability: " + linearizability.keys.sorted().map { "\($0) \(linearizability[$0] ?? "")" }.joined(separator: ", "),
        ]
        if agents > 0 {
            lines.append("  agents: \(agents); tasks: \(tasks ?? "no task workload")")
            lines.append(
                "  re-attach (every agent and scheduler with the new leader): median \(seconds(reattachMedianSeconds)), max \(seconds(reattachMaxSeconds)) "
                    + "(target \(seconds(failoverTargetSeconds)); \(reattachSeconds.map { seconds($0) }.joined(separator: ", ")))")
        }
        lines += notes.map { "  note: \($0)" }
        lines += violations.map { "  VIOLATION: \($0)" }
        lines.append("  report: \(reportDirectory)\(passed ? "" : " (replay with --seed \(seed))")")
        return lines.joined(separator: "\n")
    }
}
