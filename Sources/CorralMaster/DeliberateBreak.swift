import Foundation

/// Defects a master can be started with on purpose, so that the chaos checkers can be shown
/// to catch them (`Chaos/README.md`, "Proving the checkers bite"). Off unless the environment
/// variable `CORRAL_DELIBERATELY_BROKEN` names them (comma-separated); a master started with
/// any says so in a critical log line at start. Never set it on a cluster you care about.
public enum DeliberateBreak: String, CaseIterable, Sendable {
    /// `PUT /v1/kv/KEY` answers 204 as soon as the leader has proposed the write, before the
    /// Raft commit: a leader that loses office loses writes it acknowledged.
    case ackBeforeCommit = "ack-before-commit"
    /// `GET /v1/kv/KEY` answers from this master's own copy, on any master, without
    /// confirming leadership (and the Operator API's registry reads skip the read index): a
    /// stranded or lagging master serves stale values.
    case localReads = "local-reads"
    /// The leader stamps the registry with its wall clock as it reads it (as Corral did before
    /// `ReplicatedClock`): a wall clock that jumps ahead moves the registry's clock with it and
    /// removes frameworks whose schedulers are away long before their fail-over timeout.
    case wallClockDeadlines = "wall-clock-deadlines"
    /// The leader tells the agent to launch before it proposes the launch (and not after):
    /// a leader that loses office before the commit has tasks running that no registry knows.
    case launchBeforeCommit = "launch-before-commit"
    /// The leader's two guards against offering resources twice are off: a declined offer
    /// stays outstanding while its resources go back to the allocator, and offers are carved
    /// from what an agent has left without taking out what outstanding offers name.
    case offerTwice = "offer-twice"
    /// The leader takes a SUBSCRIBE from an agent that has seen a newer term than its own
    /// (the agent's term fence, on the master's side).
    case ignoreAgentTerm = "ignore-agent-term"
    /// For agents, which read the same variable: the agent's own term fence is off, and it
    /// acts on a deposed leader's records. A master ignores it.
    case agentStaleTerm = "agent-stale-term"
    /// The leader acts on a registry change as the change describes it, not as the registry
    /// stands when the leader hears of it (after later entries were applied).
    case staleChanges = "stale-changes"

    /// The variable that turns breaks on.
    public static let variable = "CORRAL_DELIBERATELY_BROKEN"

    /// The breaks `environment` asks for; throws a message naming a break that does not exist.
    public static func parse(_ environment: [String: String]) throws(MasterError) -> Set<DeliberateBreak> {
        guard let text = environment[variable], !text.isEmpty else { return [] }
        var breaks: Set<DeliberateBreak> = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let known = DeliberateBreak(rawValue: name) else {
                let names = allCases.map(\.rawValue).joined(separator: ", ")
                throw MasterError(
                    code: .badConfig,
                    message: "\(variable)=\(text): '\(name)' is not a deliberate break (known: \(names)); unset the variable to run a correct master")
            }
            breaks.insert(known)
        }
        return breaks
    }

    /// The breaks of this process, read once from its environment (none when it is malformed:
    /// `MasterProcess` refuses to start then).
    static let active: Set<DeliberateBreak> = (try? parse(ProcessInfo.processInfo.environment)) ?? []
}
