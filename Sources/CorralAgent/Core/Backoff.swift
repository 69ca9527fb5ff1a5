import CorralModel

/// A jittered, doubling delay: each `next` returns a delay between half and all of the
/// current step, then doubles the step up to `maximum`; `reset` starts over.
struct Backoff: Sendable, Hashable {
    let initial: Duration
    let maximum: Duration
    private var step: Duration

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.step = initial
    }

    /// The delay to wait now; the following one will be about twice as long.
    mutating func next(using random: inout some RandomNumberGenerator) -> Duration {
        let ceiling = max(step.nanoseconds, 1)
        step = min(step * 2, maximum)
        let half = max(ceiling / 2, 1)
        return .nanoseconds(half + Int64.random(in: 0...(ceiling - half), using: &random))
    }

    /// A success: the next delay is short again.
    mutating func reset() { step = initial }

}
