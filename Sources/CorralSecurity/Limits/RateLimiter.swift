import Synchronization

/// How many requests a client may make: `perSecond` on average, `burst` at once.
/// `perSecond` 0 means no limit.
public struct RequestRate: Sendable, Hashable {
    public var perSecond: Double
    public var burst: Int

    /// No limit.
    public static let unlimited = RequestRate(perSecond: 0, burst: 0)

    /// `perSecond` on average with bursts of `burst` (0: twice `perSecond`, at least 1).
    public init(perSecond: Double, burst: Int = 0) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// Whether requests are limited at all.
    public var isLimited: Bool { perSecond > 0 }

    /// The bucket's size: `burst`, or twice the rate when `burst` is 0.
    public var effectiveBurst: Int { burst > 0 ? burst : max(1, Int((perSecond * 2).rounded(.up))) }
}

/// A token bucket per client key (a principal: today the client's IP address). Thread-safe.
/// Buckets of clients that went quiet are dropped once there are many, so a stream of new
/// addresses cannot grow it without bound.
public final class RateLimiter: Sendable {
    /// The rate each key gets.
    public let rate: RequestRate
    /// Past this many buckets, full ones (quiet clients) are dropped.
    let pruneThreshold: Int
    private let buckets = Mutex<[String: TokenBucket]>([:])

    public init(rate: RequestRate, pruneThreshold: Int = 10_000) {
        self.rate = rate
        self.pruneThreshold = pruneThreshold
    }

    /// Admits a request of `key` at `now`: nil when admitted, else how long the client should
    /// wait (for `Retry-After`). Always nil when the rate is unlimited.
    public func admit(_ key: String, at now: ContinuousClock.Instant = .now) -> Duration? {
        guard rate.isLimited else { return nil }
        return buckets.withLock { buckets in
            if buckets.count >= pruneThreshold, buckets[key] == nil {
                buckets = buckets.filter { _, bucket in
                    var bucket = bucket
                    return !bucket.isFull(at: now)
                }
            }
            var bucket = buckets[key]
                ?? TokenBucket(rate: rate.perSecond, capacity: Double(rate.effectiveBurst), now: now)
            let wait = bucket.take(at: now)
            buckets[key] = bucket
            return wait
        }
    }

    /// How many clients have a bucket now.
    public var trackedKeys: Int { buckets.withLock { $0.count } }
}
