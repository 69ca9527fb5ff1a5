import CorralSecurity

/// What the master's HTTP API lets one client use (`[limits]` in the config file, and the
/// `--max-body-bytes`, `--requests-per-second`… flags). Defaults leave existing clusters as
/// they were: bodies up to 1 MiB, no rate limit, caps far above what a test or benchmark
/// opens, and slow clients cut off after 30 s (headers) or 60 s (body).
public struct MasterLimits: Sendable, Hashable {
    /// The endpoint families whose bodies are limited separately.
    public enum BodyFamily: String, Sendable, CaseIterable {
        /// `POST /api/v1/scheduler`.
        case scheduler
        /// `POST /api/v1` (and `/api/v1/operator`, `/master/api/v1`).
        case `operator`
        /// `POST /corral/v1/agent`.
        case agent
        /// Everything else: the key-value API, quorum membership, v0 admin endpoints.
        case other

        /// The family of a request path.
        public static func of(path: String) -> BodyFamily {
            switch path {
            case "/api/v1/scheduler": .scheduler
            case "/api/v1", "/api/v1/operator", "/master/api/v1": .`operator`
            case "/corral/v1/agent": .agent
            default: .other
            }
        }

        /// The config key of the family's limit.
        public var configKey: String { self == .other ? "max_body_bytes" : "\(rawValue)_max_body_bytes" }
    }

    /// The largest body of `other` requests, and of any family not set on its own.
    public var maxBodyBytes = 1 << 20
    /// Per-family body limits that differ from `maxBodyBytes`.
    public var familyBodyBytes: [BodyFamily: Int] = [:]
    /// Requests per second per client (its principal; the IP address until authentication
    /// names one); 0 (the default): no limit.
    public var requestsPerSecond: Double = 0
    /// The burst a client may send at once; 0: twice `requestsPerSecond`.
    public var burst = 0
    /// Open scheduler `SUBSCRIBE` streams at once; 0: no cap.
    public var maxSchedulerSubscribers = 1_000
    /// Open operator `SUBSCRIBE` event streams at once; 0: no cap.
    public var maxOperatorSubscribers = 100
    /// Open HTTP connections at once; 0: no cap. Keep it under the process's open-file
    /// limit (`ulimit -n`), which also covers Raft links and the stores.
    public var maxConnections = 900
    /// Seconds a client may take to send a request's headers (and an idle keep-alive
    /// connection stays open); 0: no limit.
    public var headerTimeoutSeconds: Double = 30
    /// Seconds a client may take to send a request's body once its headers are in; 0: no limit.
    public var bodyTimeoutSeconds: Double = 60

    public init() {}

    /// The largest body accepted for `family`.
    public func maxBodyBytes(for family: BodyFamily) -> Int { familyBodyBytes[family] ?? maxBodyBytes }

    /// The rate each client gets.
    public var rate: RequestRate { RequestRate(perSecond: requestsPerSecond, burst: burst) }

    /// The slow-client timeouts.
    public var timeouts: SlowClientTimeouts {
        SlowClientTimeouts(headerSeconds: headerTimeoutSeconds, bodySeconds: bodyTimeoutSeconds)
    }

    /// The most a body limit may be set to: what one Raft entry can carry is smaller anyway.
    public static let bodyCeilingBytes = 64 << 20

    /// Checks the settings; the message names the key and its range.
    public func validate() throws(MasterError) {
        func bad(_ message: String) -> MasterError { MasterError(code: .badConfig, message: "limits." + message) }
        // The shared limit first, then the families set on their own: the message names the key given.
        let set = [(BodyFamily.other, maxBodyBytes)] + BodyFamily.allCases.compactMap { family in familyBodyBytes[family].map { (family, $0) } }
        for (family, value) in set where !(1_024...Self.bodyCeilingBytes).contains(value) {
            throw bad("\(family.configKey) (\(value)) must be in 1024...\(Self.bodyCeilingBytes)")
        }
        guard requestsPerSecond == 0 || (0.001...1_000_000).contains(requestsPerSecond) else {
            throw bad("requests_per_second (\(requestsPerSecond)) must be 0 (no limit) or in 0.001...1000000")
        }
        guard (0...10_000_000).contains(burst) else { throw bad("burst (\(burst)) must be in 0...10000000 (0: twice the rate)") }
        for (key, value) in [
            ("max_scheduler_subscribers", maxSchedulerSubscribers), ("max_operator_subscribers", maxOperatorSubscribers),
            ("max_connections", maxConnections),
        ] where !(0...1_000_000).contains(value) {
            throw bad("\(key) (\(value)) must be in 0...1000000 (0: no cap)")
        }
        for (key, value) in [("header_timeout_seconds", headerTimeoutSeconds), ("body_timeout_seconds", bodyTimeoutSeconds)]
        where !(value.isFinite && (0...86_400).contains(value)) {
            throw bad("\(key) (\(value)) must be in 0...86400 seconds (0: no limit)")
        }
    }
}
