import CorralModel
import Foundation

/// The status updates each agent saw committed by a master (its log's "status update
/// committed by the master" lines), for the check that none of them was lost on the way to
/// its scheduler.
public struct CommittedUpdate: Sendable, Hashable {
    public var agent: Int
    public var framework: String
    public var task: String
    public var state: String

    public init(agent: Int, framework: String, task: String, state: String) {
        self.agent = agent
        self.framework = framework
        self.task = task
        self.state = state
    }

    static let marker = "[CorralAgent] status update committed by the master"

    /// The committed updates in one agent's log.
    public static func parse(log: String, agent: Int) -> [CommittedUpdate] {
        log.split(separator: "\n").compactMap { line in
            guard line.hasSuffix(marker) else { return nil }
            var fields: [String: String] = [:]
            for word in line.split(separator: " ") {
                guard let equals = word.firstIndex(of: "=") else { continue }
                fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
            }
            guard let key = fields["task"], let state = fields["state"], let slash = key.firstIndex(of: "/") else { return nil }
            return CommittedUpdate(
                agent: agent, framework: String(key[..<slash]), task: String(key[key.index(after: slash)...]), state: state)
        }
    }
}

extension TaskChecks {
    /// No acknowledged status update lost: every update a master committed (the agent then
    /// forgets it) reached its task's scheduler, as long as the framework is still registered.
    /// The master delivers a task's updates in order and retries each until its scheduler
    /// acknowledges it, so a scheduler that subscribed again still gets the ones it missed.
    /// Excused: an update for a task the master had already ended for its scheduler (TASK_LOST
    /// while its agent was cut off): nothing follows a terminal state, as in Mesos.
    public static func committedUpdatesDelivered(_ committed: [CommittedUpdate], events: [TaskEvent], final: MasterStateView?)
        -> [String]
    {
        guard let final else { return [] }
        let live = Set(final.frameworks.map(\.id))
        var schedulerOf: [String: Int] = [:]
        for event in events where event.type == "subscribed" {
            if let framework = event.framework { schedulerOf[framework] = event.scheduler }
        }
        var seen: Set<String> = []
        var ended: [String: Set<String>] = [:]
        for event in events where event.type == "status" {
            guard let task = event.task, let state = event.state else { continue }
            seen.insert("\(event.scheduler) \(task) \(state)")
            if TaskState(rawValue: state).isTerminal, event.source == "SOURCE_MASTER" {
                ended["\(event.scheduler) \(task)", default: []].insert(state)
            }
        }
        var violations: [String] = []
        var reported: Set<String> = []
        for update in committed where live.contains(update.framework) {
            guard let scheduler = schedulerOf[update.framework] else { continue }
            let key = "\(scheduler) \(update.task) \(update.state)"
            guard !seen.contains(key), ended["\(scheduler) \(update.task)", default: []].isEmpty, reported.insert(key).inserted else { continue }
            violations.append(
                "task \(update.task)'s \(update.state) was committed (agent \(update.agent) had it acknowledged) but its scheduler never saw it")
        }
        return violations
    }
}
