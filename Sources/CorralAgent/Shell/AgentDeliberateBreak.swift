/// The agent's deliberate defect, to show the chaos checkers catch it (`Chaos/README.md`,
/// "Proving the checkers bite"): `CORRAL_DELIBERATELY_BROKEN` (the variable the masters read
/// theirs from) naming `agent-stale-term` turns the agent's term fence off, so that it acts
/// on a deposed leader's records. Never set it on a cluster you care about.
enum AgentDeliberateBreak {
    static let variable = "CORRAL_DELIBERATELY_BROKEN"
    static let staleTerm = "agent-stale-term"

    /// Whether `environment` turns the term fence off.
    static func ignoresTerms(_ environment: [String: String]) -> Bool {
        (environment[variable] ?? "").split(separator: ",").contains {
            $0.trimmingCharacters(in: .whitespaces) == staleTerm
        }
    }
}
