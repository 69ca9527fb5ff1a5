import CorralSecurity
import Hummingbird
import NIOCore

/// What the agent's HTTP API lets clients use: a request rate per client, open connections,
/// and slow-client timeouts (request bodies are held to `AgentHTTP.maxBodyBytes`). Defaults:
/// no rate limit, 900 connections, 30 s for headers (and idle keep-alive), 60 s for a body.
public struct AgentLimits: Sendable, Hashable {
    /// Requests per second per client (its IP address); 0: no limit.
    public var requestsPerSecond: Double = 0
    /// Requests a client may send at once; 0: twice `requestsPerSecond`.
    public var burst = 0
    /// Open connections at once; 0: no cap.
    public var maxConnections = 900
    /// Seconds to send a request's headers (and to keep an idle connection); 0: no limit.
    public var headerTimeoutSeconds: Double = 30
    /// Seconds to send a request's body; 0: no limit.
    public var bodyTimeoutSeconds: Double = 60

    public init() {}

    /// The slow-client timeouts.
    public var timeouts: SlowClientTimeouts {
        SlowClientTimeouts(headerSeconds: headerTimeoutSeconds, bodySeconds: bodyTimeoutSeconds)
    }

    /// Checks the settings; the error names the flag and its range.
    public func validate() throws(AgentConfigError) {
        guard requestsPerSecond == 0 || (0.001...1_000_000).contains(requestsPerSecond) else {
            throw AgentConfigError(field: "--requests-per-second", "\(requestsPerSecond) must be 0 (no limit) or in 0.001...1000000")
        }
        guard (0...10_000_000).contains(burst) else {
            throw AgentConfigError(field: "--request-burst", "\(burst) must be in 0...10000000 (0: twice the rate)")
        }
        guard (0...1_000_000).contains(maxConnections) else {
            throw AgentConfigError(field: "--max-connections", "\(maxConnections) must be in 0...1000000 (0: no cap)")
        }
        for (flag, value) in [("--header-timeout", headerTimeoutSeconds), ("--body-timeout", bodyTimeoutSeconds)]
        where !(value.isFinite && (0...86_400).contains(value)) {
            throw AgentConfigError(field: flag, "\(value) must be in 0...86400 seconds (0: no limit)")
        }
    }
}

/// The shared state behind the agent's limits: one per server.
final class AgentGuards: Sendable {
    let limits: AgentLimits
    let rates: RateLimiter
    let connections: ConnectionGate

    init(_ limits: AgentLimits) {
        self.limits = limits
        rates = RateLimiter(rate: RequestRate(perSecond: limits.requestsPerSecond, burst: limits.burst))
        connections = ConnectionGate(limit: limits.maxConnections)
    }

    /// 429 with `Retry-After` when `key` is over its rate, else nil.
    func rateRefusal(_ key: String) -> AgentHTTPResponse? {
        guard let wait = rates.admit(key) else { return nil }
        let rate = rates.rate
        var response = AgentHTTPResponse.problem(
            429,
            "too many requests: this agent takes \(rate.perSecond) a second (bursts of \(rate.effectiveBurst)) from one client "
                + "(--requests-per-second); retry after \(wait.retryAfterSeconds) s")
        response.headers["Retry-After"] = String(wait.retryAfterSeconds)
        return response
    }
}

/// The request context of the agent's server: Hummingbird's basic one plus the connection,
/// for the client's address.
public struct AgentRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's connection.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Who a request counts against for rate limits on an agent: the client's IP address (the
/// agent's callers are the masters, the CLI and executors, few and known by address).
func rateLimitKey(_ request: Request, _ context: AgentRequestContext) -> String {
    context.channel.remoteAddress?.ipAddress ?? "unknown"
}
