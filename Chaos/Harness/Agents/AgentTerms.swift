import Foundation

/// What an agent's log says of the terms of the records it took from leaders (its "took a
/// record from the leader" lines, every record but heartbeats) and of the records the
/// `agent.stream.desync` failpoint replayed to it.
///
/// The check: a deposed leader's records are never acted on. Once an agent has taken a record
/// of term T, it takes nothing of an older term (it leaves that stream instead), across its
/// restarts too (the highest term it has seen is in its checkpoint, written before anything
/// that follows it).
public struct AgentTerms: Sendable, Hashable {
    public var agent: Int
    /// Records the failpoint replayed.
    public var replays = 0
    public var violations: [String] = []

    static let taken = "[CorralAgent] took a record from the leader"
    static let replayed = "failpoint agent.stream.desync: replaying"

    public static func parse(log: String, agent: Int) -> AgentTerms {
        var result = AgentTerms(agent: agent)
        var highest: UInt64 = 0
        for line in log.split(separator: "\n") {
            if line.contains(replayed) {
                result.replays += 1
                continue
            }
            guard line.hasSuffix(taken) else { continue }
            let fields = Self.fields(of: line)
            guard let term = fields["term"].flatMap(UInt64.init) else { continue }
            if term < highest {
                result.violations.append(
                    "agent \(agent) took a \(fields["type"] ?? "record") of term \(term) after one of term \(highest): it acted on a deposed leader's record"
                )
            }
            highest = max(highest, term)
        }
        return result
    }

    private static func fields(of line: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        for word in line.split(separator: " ") {
            guard let equals = word.firstIndex(of: "=") else { continue }
            fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return fields
    }
}
