import TOMLKit

/// The masters' `[scheduling]` settings a scenario runs them with (`corral master --config`):
/// short agent heartbeats and timeout let a partition outlast the timeout within a run.
public struct MasterScheduling: Sendable, Hashable {
    /// How often agents send HEARTBEAT calls and get HEARTBEAT events (the master's default: 5 s).
    public var agentHeartbeatSeconds: Double?
    /// An agent silent or disconnected this long is marked unreachable (the master's default: 30 s).
    public var agentTimeoutSeconds: Double?

    public init(agentHeartbeatSeconds: Double? = nil, agentTimeoutSeconds: Double? = nil) {
        self.agentHeartbeatSeconds = agentHeartbeatSeconds
        self.agentTimeoutSeconds = agentTimeoutSeconds
    }

    /// The master's defaults (`SchedulingConfig`).
    public static let defaultHeartbeatSeconds = 5.0
    public static let defaultTimeoutSeconds = 30.0

    public var heartbeatSeconds: Double { agentHeartbeatSeconds ?? Self.defaultHeartbeatSeconds }
    public var timeoutSeconds: Double { agentTimeoutSeconds ?? Self.defaultTimeoutSeconds }

    /// Whether the scenario sets anything (otherwise the masters get no config file).
    public var isEmpty: Bool { agentHeartbeatSeconds == nil && agentTimeoutSeconds == nil }

    /// The master's TOML for these settings.
    public var toml: String {
        var lines = ["[scheduling]"]
        if let agentHeartbeatSeconds { lines.append("agent_heartbeat_seconds = \(agentHeartbeatSeconds)") }
        if let agentTimeoutSeconds { lines.append("agent_timeout_seconds = \(agentTimeoutSeconds)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether an agent cut off for at most `seconds` must come back before the master can
    /// mark it unreachable: the master last heard it up to a heartbeat before the cut, and the
    /// agent needs a moment after the heal to reach it again (2 s of slack).
    public func surelyReachable(partitionSeconds seconds: Double) -> Bool {
        seconds + heartbeatSeconds + 2 < timeoutSeconds
    }
}

extension ScenarioReader {
    /// The fault kinds an agent takes.
    static let agentKinds: [Scenario.FaultKind] = [.kill, .stop, .pause, .killInit, .isolate, .diskFull]

    /// An `agent` step: a kind an agent takes; `kill-init` needs tasks to kill.
    func agentStep(_ step: Scenario.FaultStep, field: String, scenario: Scenario) throws(ScenarioError) {
        guard Self.agentKinds.contains(step.kind) else {
            let kinds = Self.agentKinds.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw fail("\(field).kind", "an agent fault is one of \(kinds), not \"\(step.kind.rawValue)\"")
        }
        if step.kind == .killInit && scenario.tasks == nil {
            throw fail("\(field).kind", "\"kill-init\" kills the inits of running tasks, so it needs a [tasks] table")
        }
    }

    /// `[scheduling]`: `agent_heartbeat_seconds` and `agent_timeout_seconds` for the masters.
    func masterScheduling(_ value: (any TOMLValueConvertible)?) throws(ScenarioError) -> MasterScheduling {
        let field = "scheduling"
        guard let value else { return MasterScheduling() }
        guard let table = value.table else { throw fail(field, "must be a table [scheduling]") }
        try onlyKeys(table, ["agent_heartbeat_seconds", "agent_timeout_seconds"], in: field)
        let scheduling = MasterScheduling(
            agentHeartbeatSeconds: try positive(table, "agent_heartbeat_seconds", in: field),
            agentTimeoutSeconds: try positive(table, "agent_timeout_seconds", in: field))
        guard scheduling.timeoutSeconds > scheduling.heartbeatSeconds else {
            throw fail(
                "\(field).agent_timeout_seconds",
                "must exceed agent_heartbeat_seconds (\(scheduling.heartbeatSeconds) s), not \(scheduling.timeoutSeconds) s")
        }
        return scheduling
    }
}
