/// A token bucket: `capacity` tokens, refilled at `rate` tokens a second; a request takes one.
/// A pure value: the caller passes the time, so a test can step it.
public struct TokenBucket: Sendable, Hashable {
    /// Tokens added per second.
    public let rate: Double
    /// The most tokens the bucket holds (the burst a client may send at once).
    public let capacity: Double
    /// Tokens now (as of `updated`).
    public private(set) var tokens: Double
    /// When `tokens` was last brought up to date.
    public private(set) var updated: ContinuousClock.Instant

    /// A full bucket at `now`.
    public init(rate: Double, capacity: Double, now: ContinuousClock.Instant) {
        self.rate = rate
        self.capacity = max(capacity, 1)
        self.tokens = max(capacity, 1)
        self.updated = now
    }

    /// Takes a token at `now`: nil when there was one, else how long until there will be.
    public mutating func take(at now: ContinuousClock.Instant) -> Duration? {
        refill(at: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        // At most a day: a tiny rate must not make a wait no Duration can hold.
        guard rate > 0 else { return .seconds(86_400) }
        let wait = (1 - tokens) / rate
        return .seconds(wait.isFinite ? min(wait, 86_400) : 86_400)
    }

    /// Whether the bucket is full at `now` (a client that has been quiet; its bucket can go).
    public mutating func isFull(at now: ContinuousClock.Instant) -> Bool {
        refill(at: now)
        return tokens >= capacity
    }

    private mutating func refill(at now: ContinuousClock.Instant) {
        guard now > updated else { return }
        let elapsed = (now - updated).inSeconds
        tokens = min(capacity, tokens + elapsed * rate)
        updated = now
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole seconds for a `Retry-After` header: rounded up, at least 1.
    public var retryAfterSeconds: Int {
        let value = inSeconds.rounded(.up)
        return value.isFinite ? max(1, min(Int(value), 86_400)) : 86_400
    }
}
