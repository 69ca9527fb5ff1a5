import ArgumentParser
import CorralAgent
import CorralMaster

/// The rate, connection and slow-client limits a master and an agent both have.
protocol ConnectionLimitSettings {
    var requestsPerSecond: Double { get set }
    var burst: Int { get set }
    var maxConnections: Int { get set }
    var headerTimeoutSeconds: Double { get set }
    var bodyTimeoutSeconds: Double { get set }
}

extension MasterLimits: ConnectionLimitSettings {}
extension AgentLimits: ConnectionLimitSettings {}

/// The flags of those limits, shared by `corral master` and `corral agent`; a flag wins over
/// the config file.
struct ConnectionLimitOptions: ParsableArguments {
    @Option(help: "Requests per second per client (on a master its principal when authentication is on, else its IP address); 0 (default): no limit.")
    var requestsPerSecond: Double?
    @Option(help: "Requests a client may send at once before --requests-per-second applies (default: twice the rate).")
    var requestBurst: Int?
    @Option(help: "Open HTTP connections at once (default 900; 0: no cap).")
    var maxConnections: Int?
    @Option(help: "Seconds a client may take to send a request's headers, and an idle connection stays open (default 30; 0: no limit).")
    var headerTimeout: Double?
    @Option(help: "Seconds a client may take to send a request's body (default 60; 0: no limit).")
    var bodyTimeout: Double?

    /// `limits` with the flags given applied.
    func apply<Limits: ConnectionLimitSettings>(to limits: inout Limits) {
        if let requestsPerSecond { limits.requestsPerSecond = requestsPerSecond }
        if let requestBurst { limits.burst = requestBurst }
        if let maxConnections { limits.maxConnections = maxConnections }
        if let headerTimeout { limits.headerTimeoutSeconds = headerTimeout }
        if let bodyTimeout { limits.bodyTimeoutSeconds = bodyTimeout }
    }
}
