import ArgumentParser
import CorralAgent

/// The `corral agent` flags of its HTTP API's limits (see `AgentLimits`).
struct AgentLimitOptions: ParsableArguments {
    @Option(help: "Requests per second per client (its IP address); 0 (default): no limit.")
    var requestsPerSecond: Double?
    @Option(help: "Requests a client may send at once before --requests-per-second applies (default: twice the rate).")
    var requestBurst: Int?
    @Option(help: "Open HTTP connections at once (default 900; 0: no cap).")
    var maxConnections: Int?
    @Option(help: "Seconds a client may take to send a request's headers, and an idle connection stays open (default 30; 0: no limit).")
    var headerTimeout: Double?
    @Option(help: "Seconds a client may take to send a request's body (default 60; 0: no limit).")
    var bodyTimeout: Double?

    /// The limits the flags give, checked.
    func limits() throws(AgentConfigError) -> AgentLimits {
        var limits = AgentLimits()
        if let requestsPerSecond { limits.requestsPerSecond = requestsPerSecond }
        if let requestBurst { limits.burst = requestBurst }
        if let maxConnections { limits.maxConnections = maxConnections }
        if let headerTimeout { limits.headerTimeoutSeconds = headerTimeout }
        if let bodyTimeout { limits.bodyTimeoutSeconds = bodyTimeout }
        try limits.validate()
        return limits
    }
}
