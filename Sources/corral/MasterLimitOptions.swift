import ArgumentParser
import CorralMaster

/// The `corral master` flags of the `[limits]` section (see `MasterLimits`); a flag wins over
/// the config file.
struct MasterLimitOptions: ParsableArguments {
    @Option(help: "Largest request body in bytes (default 1048576); per family in [limits] of the config file.")
    var maxBodyBytes: Int?
    @Option(help: "Requests per second per client (its IP address); 0 (default): no limit.")
    var requestsPerSecond: Double?
    @Option(help: "Requests a client may send at once before --requests-per-second applies (default: twice the rate).")
    var requestBurst: Int?
    @Option(help: "Open scheduler SUBSCRIBE streams at once (default 1000; 0: no cap).")
    var maxSchedulerSubscribers: Int?
    @Option(help: "Open operator SUBSCRIBE event streams at once (default 100; 0: no cap).")
    var maxOperatorSubscribers: Int?
    @Option(help: "Open HTTP connections at once (default 900; 0: no cap).")
    var maxConnections: Int?
    @Option(help: "Seconds a client may take to send a request's headers, and an idle connection stays open (default 30; 0: no limit).")
    var headerTimeout: Double?
    @Option(help: "Seconds a client may take to send a request's body (default 60; 0: no limit).")
    var bodyTimeout: Double?

    /// `limits` with the flags given applied.
    func apply(to limits: inout MasterLimits) {
        if let maxBodyBytes { limits.maxBodyBytes = maxBodyBytes }
        if let requestsPerSecond { limits.requestsPerSecond = requestsPerSecond }
        if let requestBurst { limits.burst = requestBurst }
        if let maxSchedulerSubscribers { limits.maxSchedulerSubscribers = maxSchedulerSubscribers }
        if let maxOperatorSubscribers { limits.maxOperatorSubscribers = maxOperatorSubscribers }
        if let maxConnections { limits.maxConnections = maxConnections }
        if let headerTimeout { limits.headerTimeoutSeconds = headerTimeout }
        if let bodyTimeout { limits.bodyTimeoutSeconds = bodyTimeout }
    }
}
