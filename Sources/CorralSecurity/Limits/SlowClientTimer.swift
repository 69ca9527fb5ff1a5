/// How long a client may take over a request, so a slow one cannot hold a connection (and
/// with enough of them, a server): a slow-loris client that sends its headers a byte at a
/// time, or a body that never ends.
public struct SlowClientTimeouts: Sendable, Hashable {
    /// From the connection's start, or the end of the previous response, until a request's
    /// headers are complete (also how long an idle keep-alive connection stays open); nil: no limit.
    public var header: Duration?
    /// From the headers until the whole body has arrived, however steadily it trickles; nil: no limit.
    public var body: Duration?

    public init(header: Duration?, body: Duration?) {
        self.header = header
        self.body = body
    }

    /// From seconds as a config file or flag gives them; 0 (or less): no limit.
    public init(headerSeconds: Double, bodySeconds: Double) {
        func limit(_ seconds: Double) -> Duration? { seconds > 0 ? .milliseconds(Int64(seconds * 1_000)) : nil }
        self.init(header: limit(headerSeconds), body: limit(bodySeconds))
    }

    /// No timeouts.
    public static let disabled = SlowClientTimeouts(header: nil, body: nil)
}

/// When a connection must be closed for being too slow: a pure state machine fed the
/// request and response parts as they pass, and the time. The response phase has no
/// deadline (event streams last as long as their subscription).
public struct SlowClientTimer: Sendable {
    public let timeouts: SlowClientTimeouts
    /// Requests whose heads arrived and whose responses have not ended.
    private var inFlight = 0
    /// When the request being read started, or nil when none is being read.
    private var readingSince: ContinuousClock.Instant?
    /// When the connection last had nothing in flight.
    private var idleSince: ContinuousClock.Instant

    public init(timeouts: SlowClientTimeouts, now: ContinuousClock.Instant) {
        self.timeouts = timeouts
        self.idleSince = now
    }

    /// A request's headers arrived.
    public mutating func head(at now: ContinuousClock.Instant) {
        inFlight += 1
        readingSince = now
    }

    /// A request's body ended.
    public mutating func requestEnd() {
        readingSince = nil
    }

    /// A response ended.
    public mutating func responseEnd(at now: ContinuousClock.Instant) {
        inFlight = max(0, inFlight - 1)
        if inFlight == 0 { idleSince = now }
    }

    /// When the connection must be closed unless something changes; nil: never.
    public var deadline: ContinuousClock.Instant? {
        if let readingSince { return timeouts.body.map { readingSince + $0 } }
        if inFlight > 0 { return nil }
        return timeouts.header.map { idleSince + $0 }
    }

    /// Whether the connection is past its deadline at `now`.
    public func expired(at now: ContinuousClock.Instant) -> Bool {
        deadline.map { now >= $0 } ?? false
    }
}
