/// How the leader offers resources and watches schedulers and agents (TOML `[scheduling]`).
public struct SchedulingConfig: Sendable, Hashable {
    /// How roles are ordered: `drf` or `priority`.
    public var policy: String = "drf"
    /// Role priorities for the `priority` policy (unlisted roles have 0).
    public var priorities: [String: Int] = [:]
    /// Time between allocation cycles (an event such as a new agent also starts one).
    public var allocationIntervalMilliseconds: Int = 1_000
    /// Offers unanswered this long are rescinded; nil keeps them.
    public var offerTimeoutSeconds: Double?
    /// How often schedulers get HEARTBEAT events.
    public var heartbeatIntervalSeconds: Double = 15
    /// How often agents must send HEARTBEAT calls.
    public var agentHeartbeatSeconds: Double = 5
    /// An agent silent (or disconnected) this long is marked unreachable.
    public var agentTimeoutSeconds: Double = 30
    /// After a leader change, schedulers and agents get at least this long to come back.
    public var failoverGraceSeconds: Double = 60
    /// Unacknowledged status updates are sent to the scheduler again this often.
    public var updateRetrySeconds: Double = 10

    public init() {}

    func validate() throws(MasterError) {
        func bad(_ message: String) -> MasterError { MasterError(code: .badConfig, message: message) }
        guard ["drf", "priority"].contains(policy) else {
            throw bad("scheduling.policy must be \"drf\" or \"priority\", not \"\(policy)\"")
        }
        if allocationIntervalMilliseconds < 10 { throw bad("scheduling.allocation_interval_ms must be at least 10") }
        for (name, value) in [
            ("heartbeat_interval_seconds", heartbeatIntervalSeconds), ("agent_heartbeat_seconds", agentHeartbeatSeconds),
            ("agent_timeout_seconds", agentTimeoutSeconds), ("failover_grace_seconds", failoverGraceSeconds),
            ("update_retry_seconds", updateRetrySeconds),
        ] where !(value > 0 && value < 1e6) {
            throw bad("scheduling.\(name) must be a positive number of seconds below 1000000")
        }
        if agentTimeoutSeconds <= agentHeartbeatSeconds {
            throw bad("scheduling.agent_timeout_seconds must exceed scheduling.agent_heartbeat_seconds")
        }
        if let timeout = offerTimeoutSeconds, !(timeout > 0) {
            throw bad("scheduling.offer_timeout_seconds must be positive")
        }
    }
}
