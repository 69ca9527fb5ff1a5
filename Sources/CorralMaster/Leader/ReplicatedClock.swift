import CorralModel

/// The leader's readings of the replicated clock: the registry's `clockNanos`, which stamps
/// what the registry records and decides when a disconnected framework's fail-over deadline
/// has passed.
///
/// Wall clocks jump (an NTP step, a bad RTC, an operator's `date -s`), and a leader whose wall
/// clock jumped an hour ahead used to move the registry's clock an hour on and remove every
/// framework whose scheduler was away. So a reading follows the leader's wall clock only as
/// far as its monotonic clock allows: from one reading to the next the replicated clock
/// advances at least as much as the monotonic clock did (whatever the wall clock says) and at
/// most `1 + catchUp` times that (a wall clock ahead of it is caught up with at that pace), and
/// never goes back. Every leader reads it this way, so across leaders and elections the
/// registry's clock never runs faster than 1.1 times real time: a fail-over deadline of T
/// seconds never passes in less than T / 1.1 seconds, wherever any master's wall clock jumps.
/// A new leader starts from the registry's clock, moved on by the real time since it saw that
/// clock move (so an idle cluster's fail-over does not set it back). The price: a master that
/// has not seen the clock move since it started (after the whole quorum was down) starts from
/// where it stopped and catches up with the wall clock at 10% speed, so fail-over deadlines
/// are extended by the outage and registry stamps lag the wall clock for a while.
struct ReplicatedClock {
    /// How much faster than the monotonic clock the replicated clock may run to catch up with
    /// a wall clock ahead of it.
    static let catchUp = 0.1

    private var last: UInt64 = 0
    private var lastInstant: ContinuousClock.Instant?

    /// Starts a leadership: readings go on from the registry's clock, or from the wall clock
    /// if the registry has never had a time. Where this master saw the registry's clock move
    /// (`moved`), the start may follow the wall clock up to that value plus the real time
    /// since: an idle cluster's new leader starts at the wall clock, one whose clock jumped
    /// ahead no further than the real time that passed.
    mutating func start(registry: UInt64, wall: UInt64, moved: ClockObservation? = nil, at instant: ContinuousClock.Instant) {
        if registry == 0 {
            last = wall
        } else if let moved, instant > moved.at {
            last = max(registry, min(wall, moved.nanos &+ UInt64((instant - moved.at).nanoseconds)))
        } else {
            last = registry
        }
        lastInstant = instant
    }

    /// Ends a leadership: the next reading starts again from the registry.
    mutating func stop() { lastInstant = nil }

    /// The replicated clock now, given the wall clock and the registry's clock.
    mutating func reading(
        wall: UInt64, registry: UInt64, moved: ClockObservation? = nil, at instant: ContinuousClock.Instant
    ) -> UInt64 {
        guard let since = lastInstant else {
            start(registry: registry, wall: wall, moved: moved, at: instant)
            return last
        }
        let elapsed = instant > since ? UInt64((instant - since).nanoseconds) : 0
        let floor = max(last &+ elapsed, registry)
        let ceiling = max(floor, last &+ elapsed &+ UInt64(Double(elapsed) * Self.catchUp))
        last = min(max(wall, floor), ceiling)
        if instant > since { lastInstant = instant }
        return last
    }
}
