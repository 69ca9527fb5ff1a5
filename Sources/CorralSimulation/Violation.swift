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
        /// A node granted (or counted) its vote to two candidates in one term, across restarts.
        case oneVotePerTerm = "one-vote-per-term"
        /// A node's durable term or commit index went back.
        case monotonicState = "monotonic-state"
        /// A committed entry was truncated or overwritten in some node's log.
        case committedTruncated = "committed-truncated"
        /// Two consecutive configurations have quorums that do not intersect.
        case configOverlap = "config-overlap"
        /// More elections than allowed while a healthy leader held a quorum.
        case needlessElection = "needless-election"
        /// A node could not restart from what it had stored.
        case recovery = "recovery"
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
