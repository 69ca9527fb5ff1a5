import CorralSecurity
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The shared state behind the master's request limits (see `MasterLimits`): one per server.
final class MasterGuards: Sendable {
    let limits: MasterLimits
    let rates: RateLimiter
    let connections: ConnectionGate
    let schedulerStreams: StreamSlots
    let operatorStreams: StreamSlots

    init(_ limits: MasterLimits) {
        self.limits = limits
        rates = RateLimiter(rate: limits.rate)
        connections = ConnectionGate(limit: limits.maxConnections)
        schedulerStreams = StreamSlots(limit: limits.maxSchedulerSubscribers, what: "scheduler SUBSCRIBE streams", key: "max_scheduler_subscribers")
        operatorStreams = StreamSlots(limit: limits.maxOperatorSubscribers, what: "operator SUBSCRIBE streams", key: "max_operator_subscribers")
    }
}

/// Who a request counts against for rate limits: the principal it authenticated as
/// (`AuthenticationMiddleware` runs first); without authentication, the client's IP address
/// (every client behind one address shares its budget).
func rateLimitKey(_ request: Request, _ context: MasterRequestContext) -> String {
    if let principal = context.principal { return "principal:" + principal }
    return context.channel.remoteAddress?.ipAddress ?? "unknown"
}

/// Refuses a request over its client's rate (429 with `Retry-After`) or with a body over its
/// endpoint family's limit (413 naming the limit) before any route sees it, so nothing of it
/// is applied. A body within the limit is read here whole.
struct RequestLimitsMiddleware: RouterMiddleware {
    typealias Context = MasterRequestContext
    let guards: MasterGuards

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let limits = guards.limits
        if let wait = guards.rates.admit(rateLimitKey(request, context)) {
            let rate = limits.rate
            var response = problem(
                .tooManyRequests,
                "too many requests: this master takes \(rate.perSecond) a second (bursts of \(rate.effectiveBurst)) from one "
                    + "client (limits.requests_per_second); retry after \(wait.retryAfterSeconds) s")
            response.headers[.retryAfter] = String(wait.retryAfterSeconds)
            return response
        }
        let family = MasterLimits.BodyFamily.of(path: request.uri.path)
        let limit = limits.maxBodyBytes(for: family)
        let tooLarge = problem(
            .contentTooLarge,
            "the body exceeds \(limit) bytes, the most this master takes for \(family == .other ? "this endpoint" : "the \(family.rawValue) API") "
                + "(limits.\(family.configKey)); nothing was applied")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { return tooLarge }
        var request = request
        do {
            _ = try await request.collectBody(upTo: limit)
        } catch {
            return tooLarge
        }
        return try await next(request, context)
    }
}

/// Counts open event streams of one kind against a cap.
final class StreamSlots: Sendable {
    let limit: Int
    let what: String
    let key: String
    private let open = Mutex(0)

    init(limit: Int, what: String, key: String) {
        self.limit = limit
        self.what = what
        self.key = key
    }

    /// A slot, or nil when `limit` are taken.
    func take() -> StreamSlot? {
        let taken = open.withLock { open in
            if limit > 0, open >= limit { return false }
            open += 1
            return true
        }
        return taken ? StreamSlot(self) : nil
    }

    fileprivate func release() { open.withLock { $0 -= 1 } }

    /// Streams open now.
    var count: Int { open.withLock { $0 } }

    /// 503 with `Retry-After`: the cap is reached.
    var refusal: Response {
        var response = problem(
            .serviceUnavailable,
            "this master serves at most \(limit) \(what) at once (limits.\(key)); nothing was applied, retry later")
        response.headers[.retryAfter] = "5"
        return response
    }
}

/// One taken stream slot; given back once, by whichever of the stream's ends comes first.
final class StreamSlot: Sendable {
    private let slots: StreamSlots
    private let released = Mutex(false)

    fileprivate init(_ slots: StreamSlots) { self.slots = slots }

    func release() {
        let first = released.withLock { released in
            defer { released = true }
            return !released
        }
        if first { slots.release() }
    }

    deinit { release() }
}
