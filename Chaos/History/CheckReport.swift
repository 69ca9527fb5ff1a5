/// A history that no order of its operations explains: which key, which operations, and why.
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    /// The key whose operations no order explains.
    public var key: String
    /// The operation whose result could not be explained (usually a read).
    public var unexplained: ClientOperation
    /// A small set of operations that on their own already cannot be linearized, or, when no
    /// small set was found, the operations around the unexplained one.
    public var operations: [ClientOperation]
    /// Whether `operations` alone was checked to be non-linearizable.
    public var isMinimalWitness: Bool
    /// One sentence saying what went wrong, for example "the read returned "v3", which was
    /// only written by a write that failed (definitely not applied)".
    public var reason: String

    /// The reason, the unexplained operation and the witness, one per line.
    public var description: String {
        var lines = ["key \(key): \(reason)", "  unexplained: \(unexplained)"]
        lines.append(isMinimalWitness ? "  these operations alone cannot be linearized:" : "  operations around it:")
        lines += operations.map { "    \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// The checker's answer for one key.
public enum KeyVerdict: Sendable, Hashable {
    /// Some order of the operations, consistent with real time, explains every result.
    case linearizable
    /// No order explains the results.
    case violation(Violation)
    /// The search hit its bound before deciding; this is not a pass.
    case unknown(String)
}

/// The checker's answer for a whole history, key by key.
public struct CheckReport: Sendable, CustomStringConvertible {
    /// The verdict for each key of the history.
    public var verdicts: [String: KeyVerdict]
    /// How many operations the search considered per key (after removing failed operations,
    /// failed or indeterminate reads, and indeterminate writes nobody observed).
    public var checkedOperations: [String: Int]
    /// How many steps the search took per key: a measure of how hard the key was.
    public var searchSteps: [String: Int]

    /// True only when every key is linearizable.
    public var isLinearizable: Bool {
        verdicts.values.allSatisfy { $0 == .linearizable }
    }

    /// Every key's violation, by key.
    public var violations: [Violation] {
        verdicts.keys.sorted().compactMap { key in
            if case .violation(let violation) = verdicts[key] { return violation }
            return nil
        }
    }

    /// One line per key (more for a violation).
    public var description: String {
        verdicts.keys.sorted().map { key in
            switch verdicts[key] {
            case .violation(let violation): return "NOT LINEARIZABLE \(violation)"
            case .unknown(let reason): return "UNKNOWN key \(key): \(reason)"
            default:
                return "linearizable key \(key) (\(checkedOperations[key] ?? 0) operations checked in \(searchSteps[key] ?? 0) steps)"
            }
        }.joined(separator: "\n")
    }
}
