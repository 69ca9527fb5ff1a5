import CorralModel
import Foundation

/// One event `corral events` prints: a kind (`leader`, `no_leader`, `subscribed`,
/// `agent_joined`, `agent_left`, `task`, `framework_registered`, `framework_failed_over`,
/// `framework_disconnected`, `framework_removed`), a line for people and fields for `--json`.
struct ClusterEvent: Sendable, Equatable {
    var kind: String
    var text: String
    var fields: [String: JSONValue]

    /// `time kind text`, for people.
    func line(at time: Date) -> String {
        "\(Self.timestamp(time))  \(kind.padding(toLength: 22, withPad: " ", startingAt: 0))\(text)"
    }

    /// One JSON object per line: the fields with `type` and `time`.
    func json(at time: Date) -> String {
        var object = fields
        object["type"] = .string(kind)
        object["time"] = .string(Self.timestamp(time))
        return String(decoding: JSONValue.object(object).encoded, as: UTF8.self)
    }

    static func timestamp(_ time: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: time)
    }
}

/// Turns what `corral events` sees (the leader it found, the operator SUBSCRIBE stream's
/// events) into cluster events. It remembers the tasks, agents and frameworks it has seen,
/// so when it subscribes again to a new leader it reports what changed in between, and an
/// update that repeats a task's known state is not reported twice. No I/O.
struct ClusterEventTracker: Sendable {
    private var leader: (id: UInt64, term: UInt64)?
    private var leaderless = false
    private var subscribed = false
    private var tasks: [String: String] = [:]
    private var agents: [String: String] = [:]
    private var frameworks: [String: (name: String, connected: Bool)] = [:]

    /// The leader found by asking the masters; an event when it is not the one seen last.
    mutating func leader(id: UInt64, address: String, term: UInt64) -> [ClusterEvent] {
        leaderless = false
        guard leader?.id != id || leader?.term != term else { return [] }
        var fields: [String: JSONValue] = ["leader": .number(Double(id)), "address": .string(address), "term": .number(Double(term))]
        var text = "master \(id) at \(address) leads, term \(term)"
        if let previous = leader {
            fields["previous"] = .number(Double(previous.id))
            text += previous.id == id ? " (re-elected)" : " (was master \(previous.id))"
        }
        leader = (id, term)
        return [ClusterEvent(kind: "leader", text: text, fields: fields)]
    }

    /// No master leads (or none answers); reported once until a leader is found again.
    mutating func noLeader(_ reason: String) -> [ClusterEvent] {
        guard !leaderless else { return [] }
        leaderless = true
        return [ClusterEvent(kind: "no_leader", text: reason, fields: ["reason": .string(reason)])]
    }

    /// One record of the SUBSCRIBE stream.
    mutating func record(_ event: JSONValue) -> [ClusterEvent] {
        switch event["type"]?.text {
        case "SUBSCRIBED": return resubscribed(event["subscribed"]?["get_state"] ?? [:])
        case "TASK_ADDED": return task(event["task_added"]?["task"] ?? [:])
        case "TASK_UPDATED":
            let update = event["task_updated"] ?? [:]
            let status = update["status"] ?? [:]
            return taskState(
                id: status["task_id"]?["value"]?.text ?? "", framework: update["framework_id"]?["value"]?.text ?? "",
                agent: status["agent_id"]?["value"]?.text ?? "", state: update["state"]?.text ?? "",
                message: status["message"]?.text)
        case "AGENT_ADDED": return agentJoined(event["agent_added"]?["agent"]?["agent_info"] ?? [:])
        case "AGENT_REMOVED": return agentLeft(event["agent_removed"]?["agent_id"]?["value"]?.text ?? "")
        case "FRAMEWORK_ADDED", "FRAMEWORK_UPDATED":
            let framework = event["framework_added"]?["framework"] ?? event["framework_updated"]?["framework"] ?? [:]
            return self.framework(framework, updated: event["type"]?.text == "FRAMEWORK_UPDATED")
        case "FRAMEWORK_REMOVED":
            let info = event["framework_removed"]?["framework_info"] ?? [:]
            let id = info["id"]?["value"]?.text ?? ""
            frameworks[id] = nil
            let name = info["name"]?.text ?? id
            return [ClusterEvent(kind: "framework_removed", text: "framework \(name) (\(id)) removed",
                fields: ["framework_id": .string(id), "name": .string(name)])]
        default: return []
        }
    }

    // MARK: - Kinds

    private mutating func resubscribed(_ state: JSONValue) -> [ClusterEvent] {
        let first = !subscribed
        subscribed = true
        var events: [ClusterEvent] = []
        let liveAgents = state["get_agents"]?["agents"]?.list.map { $0["agent_info"] ?? [:] } ?? []
        let liveIDs = Set(liveAgents.compactMap { $0["id"]?["value"]?.text })
        for info in liveAgents { events += agentJoined(info) }
        for id in agents.keys.sorted() where !liveIDs.contains(id) { events += agentLeft(id) }
        let frameworkView = state["get_frameworks"] ?? [:]
        for framework in frameworkView["frameworks"]?.list ?? [] { events += self.framework(framework, updated: false) }
        let taskView = state["get_tasks"] ?? [:]
        for key in ["tasks", "unreachable_tasks", "completed_tasks"] {
            for task in taskView[key]?.list ?? [] { events += self.task(task) }
        }
        guard first else { return events }
        // The first subscription's state is the starting point, not news.
        let text = "following the leader: \(agents.count) agents, \(frameworks.count) frameworks, \(tasks.count) tasks known"
        return [ClusterEvent(kind: "subscribed", text: text, fields: [
            "agents": .number(Double(agents.count)), "frameworks": .number(Double(frameworks.count)), "tasks": .number(Double(tasks.count)),
        ])]
    }

    private mutating func task(_ task: JSONValue) -> [ClusterEvent] {
        taskState(
            id: task["task_id"]?["value"]?.text ?? "", framework: task["framework_id"]?["value"]?.text ?? "",
            agent: task["agent_id"]?["value"]?.text ?? "", state: task["state"]?.text ?? "", message: nil)
    }

    private mutating func taskState(id: String, framework: String, agent: String, state: String, message: String?) -> [ClusterEvent] {
        let key = "\(framework)/\(id)"
        guard !id.isEmpty, tasks[key] != state else { return [] }
        tasks[key] = state
        let host = agents[agent] ?? agent
        var fields: [String: JSONValue] = [
            "task_id": .string(id), "framework_id": .string(framework), "agent_id": .string(agent), "state": .string(state),
        ]
        if let message, !message.isEmpty { fields["message"] = .string(message) }
        let text = "task \(id) \(state) on \(host)" + (message.map { $0.isEmpty ? "" : ": \($0)" } ?? "")
        return [ClusterEvent(kind: "task", text: text, fields: fields)]
    }

    private mutating func agentJoined(_ info: JSONValue) -> [ClusterEvent] {
        guard let id = info["id"]?["value"]?.text, agents[id] == nil else { return [] }
        let hostname = info["hostname"]?.text ?? id
        agents[id] = hostname
        return [ClusterEvent(kind: "agent_joined", text: "agent \(hostname) (\(id)) joined",
            fields: ["agent_id": .string(id), "hostname": .string(hostname)])]
    }

    private mutating func agentLeft(_ id: String) -> [ClusterEvent] {
        guard let hostname = agents.removeValue(forKey: id) else { return [] }
        return [ClusterEvent(kind: "agent_left", text: "agent \(hostname) (\(id)) left",
            fields: ["agent_id": .string(id), "hostname": .string(hostname)])]
    }

    /// A framework seen in the state or an event; `updated` for FRAMEWORK_UPDATED, which a
    /// master sends when a framework subscribes again (a fail-over) or disconnects.
    private mutating func framework(_ framework: JSONValue, updated: Bool) -> [ClusterEvent] {
        let info = framework["framework_info"] ?? [:]
        guard let id = info["id"]?["value"]?.text else { return [] }
        let name = info["name"]?.text ?? id
        let connected = framework["connected"]?.bool ?? true
        let known = frameworks[id]
        frameworks[id] = (name, connected)
        let fields: [String: JSONValue] = ["framework_id": .string(id), "name": .string(name)]
        switch (known?.connected, connected) {
        case (nil, _): return [ClusterEvent(kind: "framework_registered", text: "framework \(name) (\(id)) registered", fields: fields)]
        case (true, false): return [ClusterEvent(kind: "framework_disconnected", text: "framework \(name) (\(id)) disconnected", fields: fields)]
        case (false, true): return [failedOver(name, id, fields)]
        case (true, true) where updated: return [failedOver(name, id, fields)]
        default: return []
        }
    }

    private func failedOver(_ name: String, _ id: String, _ fields: [String: JSONValue]) -> ClusterEvent {
        ClusterEvent(kind: "framework_failed_over", text: "framework \(name) (\(id)) failed over: subscribed again", fields: fields)
    }
}
