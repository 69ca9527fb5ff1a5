import CorralModel

/// Which master to try next and how long to wait first: the pure part of the client's
/// reconnect loop.
///
/// A failure (refused, `503`, stream ended, heartbeat timeout) moves to the next master in
/// the list and waits a jittered, doubling delay. A `307` goes straight to the named master
/// without waiting, up to `maximumRedirects` in a row. A successful subscription resets the delay.
public struct MasterRotation: Sendable {
    /// The masters, in the order they are tried.
    public let masters: [MasterAddress]
    let initialDelay: Duration
    let maximumDelay: Duration
    /// Redirects followed in a row before the chain counts as a failure.
    public let maximumRedirects: Int

    private var index = 0
    private var redirect: MasterAddress?
    private var redirectsInARow = 0
    private var delay: Duration
    private var random: SplitMix64

    /// Starts at the first master; `seed` drives the jitter.
    public init(masters: [MasterAddress], initialDelay: Duration, maximumDelay: Duration, seed: UInt64) {
        self.masters = masters
        self.initialDelay = initialDelay
        self.maximumDelay = max(initialDelay, maximumDelay)
        self.maximumRedirects = max(4, masters.count * 2)
        self.delay = initialDelay
        self.random = SplitMix64(seed: seed)
    }

    /// The master to subscribe to now.
    public var current: MasterAddress { redirect ?? masters[index % masters.count] }

    /// A master named another one in a `307`. Returns false (and counts a failure) when
    /// there have been too many redirects in a row, or the target is unusable.
    public mutating func redirected(to target: MasterAddress?) -> Bool {
        redirectsInARow += 1
        guard let target, redirectsInARow <= maximumRedirects else { return false }
        redirect = target
        return true
    }

    /// Learned elsewhere that `target` leads: the next attempt goes there.
    public mutating func aim(at target: MasterAddress) {
        redirect = target
        redirectsInARow = 0
    }

    /// The attempt failed or the stream ended: move on, and return how long to wait first.
    public mutating func failed() -> Duration {
        redirect = nil
        redirectsInARow = 0
        index = (index + 1) % masters.count
        let ceiling = delay
        delay = min(delay * 2, maximumDelay)
        let nanos = max(ceiling.nanoseconds, 1)
        let jittered = nanos / 2 + Int64(random.next() % UInt64(nanos / 2 + 1))
        return .nanoseconds(jittered)
    }

    /// The subscription succeeded: start the delay over.
    public mutating func subscribed() {
        redirectsInARow = 0
        delay = initialDelay
    }
}

/// SplitMix64: a small, seedable generator, so jitter replays from a seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
