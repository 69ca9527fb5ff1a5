/// When a node's ticks fall due, on a monotonic clock given as instants (so a test can
/// hand it any time it likes): one tick per interval, and after a late wake-up one tick
/// only. Replaying the ticks a paused process missed (SIGSTOP, a stalled host) would expire
/// its election timeout at once, before it reads the messages that arrived meanwhile.
struct TickSchedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    let interval: Duration
    /// The instant the next tick is due.
    private(set) var next: Instant

    init(start: Instant, interval: Duration) {
        self.interval = interval
        next = start.advanced(by: interval)
    }

    /// How many ticks to deliver at `now` (0 or 1); moves the schedule on. A tick late by
    /// less than an interval keeps the cadence; a later one starts a fresh interval at `now`.
    mutating func due(at now: Instant) -> Int {
        guard next <= now else { return 0 }
        let following = next.advanced(by: interval)
        next = following > now ? following : now.advanced(by: interval)
        return 1
    }
}
