/// A broken invariant: which rule, where in the run, and what was seen.
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    /// The safety or liveness rule that failed.
    public enum Rule: String, Sendable, Hashable {
        case electionSafety = "election-safety"
        case logMatching = "log-matching"
        case commitSafety = "commit-safety"
        case leaderCompleteness = "leader-completeness"
        case appliedPrefix = "applied-prefix"
        case lostAcknowledgement = "lost-ack"
        case linearizableRead = "linearizable-read"
        case storage = "storage"
        case liveness = "liveness"
    }

    public var rule: Rule
    /// The simulator step (events processed) at which it was seen.
    public var step: UInt64
    public var timeMicros: UInt64
    public var message: String

    public init(rule: Rule, step: UInt64, timeMicros: UInt64, message: String) {
        self.rule = rule
        self.step = step
        self.timeMicros = timeMicros
        self.message = message
    }

    public var description: String {
        "[\(rule.rawValue)] step \(step) t=\(formatMicros(timeMicros)): \(message)"
    }
}

/// Virtual microseconds as seconds with millisecond precision, e.g. "12.345s".
func formatMicros(_ micros: UInt64) -> String {
    let millis = micros / 1_000
    let fraction = String(millis % 1_000)
    return "\(millis / 1_000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
}
