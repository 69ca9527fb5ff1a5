import CorralSecurity
import Testing

/// The pure parts of the request limits: token buckets, the per-client limiter, the
/// slow-client timer and the connection gate, stepped by hand (no sleeping).
struct RequestLimitsTests {
    let start = ContinuousClock.now

    @Test func aBucketTakesItsBurstThenOneTokenPerRefill() {
        var bucket = TokenBucket(rate: 2, capacity: 3, now: start)
        for _ in 0..<3 { #expect(bucket.take(at: start) == nil) }
        let wait = bucket.take(at: start)
        #expect(wait == .milliseconds(500))
        #expect(wait?.retryAfterSeconds == 1)
        // Half a second later one token is back, and only one.
        #expect(bucket.take(at: start + .milliseconds(500)) == nil)
        #expect(bucket.take(at: start + .milliseconds(500)) != nil)
        // A long pause fills the bucket to its capacity, not beyond.
        let full = bucket.isFull(at: start + .seconds(60))
        #expect(full)
        for _ in 0..<3 { #expect(bucket.take(at: start + .seconds(60)) == nil) }
        #expect(bucket.take(at: start + .seconds(60)) != nil)
    }

    @Test func waitsAreBoundedAndRetryAfterIsWholeSeconds() {
        var slow = TokenBucket(rate: 1e-300, capacity: 1, now: start)
        #expect(slow.take(at: start) == nil)
        #expect(slow.take(at: start) == .seconds(86_400))
        #expect(Duration.milliseconds(1).retryAfterSeconds == 1)
        #expect(Duration.milliseconds(2_001).retryAfterSeconds == 3)
        #expect(Duration.seconds(1e12).retryAfterSeconds == 86_400)
    }

    @Test func eachClientHasItsOwnBucketAndUnlimitedAdmitsAll() {
        let limiter = RateLimiter(rate: RequestRate(perSecond: 1, burst: 2))
        #expect(limiter.admit("10.0.0.1", at: start) == nil)
        #expect(limiter.admit("10.0.0.1", at: start) == nil)
        #expect(limiter.admit("10.0.0.1", at: start) != nil)
        #expect(limiter.admit("10.0.0.2", at: start) == nil, "another client is not held back")
        #expect(limiter.admit("10.0.0.1", at: start + .seconds(1)) == nil, "the client recovers")
        let unlimited = RateLimiter(rate: .unlimited)
        for _ in 0..<10_000 { #expect(unlimited.admit("x", at: start) == nil) }
        #expect(unlimited.trackedKeys == 0)
        #expect(RequestRate(perSecond: 5).effectiveBurst == 10)
        #expect(RequestRate(perSecond: 0.1).effectiveBurst == 1)
    }

    @Test func quietClientsAreDroppedOnceThereAreMany() {
        let limiter = RateLimiter(rate: RequestRate(perSecond: 10, burst: 1), pruneThreshold: 100)
        for index in 0..<100 { _ = limiter.admit("client-\(index)", at: start) }
        #expect(limiter.trackedKeys == 100)
        // A second later every bucket is full again: a new client sweeps them away.
        _ = limiter.admit("newcomer", at: start + .seconds(1))
        #expect(limiter.trackedKeys == 1)
    }

    @Test func slowClientTimerCoversHeadersBodiesAndIdleButNotResponses() {
        let timeouts = SlowClientTimeouts(header: .seconds(2), body: .seconds(5))
        var timer = SlowClientTimer(timeouts: timeouts, now: start)
        // Waiting for headers (a slow-loris sending bytes of a head that never ends).
        #expect(timer.deadline == start + .seconds(2))
        #expect(!timer.expired(at: start + .milliseconds(1_999)))
        #expect(timer.expired(at: start + .seconds(2)))
        // The head arrived: the body has 5 s from then, however it trickles.
        timer.head(at: start + .seconds(1))
        #expect(timer.deadline == start + .seconds(6))
        // The body ended: the response (an event stream, say) has no deadline.
        timer.requestEnd()
        #expect(timer.deadline == nil)
        #expect(!timer.expired(at: start + .seconds(3_600)))
        // The response ended: idle, so the next head has 2 s.
        timer.responseEnd(at: start + .seconds(100))
        #expect(timer.deadline == start + .seconds(102))
        #expect(SlowClientTimer(timeouts: .disabled, now: start).deadline == nil)
    }

    @Test func theGateCountsConnectionsAgainstItsLimit() {
        let gate = ConnectionGate(limit: 2)
        #expect(gate.enter())
        #expect(gate.enter())
        #expect(!gate.enter())
        #expect(gate.count == 2)
        gate.leave()
        #expect(gate.enter())
        let open = ConnectionGate(limit: 0)
        for _ in 0..<1_000 { #expect(open.enter()) }
    }
}
