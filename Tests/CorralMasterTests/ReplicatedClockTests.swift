@testable import CorralMaster
import Testing

@Suite("The replicated clock under wall-clock jumps")
struct ReplicatedClockTests {
    static let second: UInt64 = 1_000_000_000
    static let hour = 3600 * second
    let start = ContinuousClock.now
    let wall0: UInt64 = 1_800_000_000 * 1_000_000_000

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }

    @Test("a wall clock that jumps an hour ahead moves the clock on by at most 10% of the time that passes")
    func forwardJumpIsCaughtUpSlowly() {
        var clock = ReplicatedClock()
        clock.start(registry: wall0, wall: wall0, at: at(0))
        var reading = wall0
        for step in 1...100 {
            let seconds = Double(step) * 0.1
            reading = clock.reading(wall: wall0 + Self.hour + UInt64(seconds * 1e9), registry: wall0, at: at(seconds))
        }
        // Ten seconds of real time: at least 10 s on, at most 11 s on, not an hour.
        #expect(reading >= wall0 + 10 * Self.second)
        #expect(reading <= wall0 + 11 * Self.second + 1000)
    }

    @Test("a wall clock that jumps back neither stops nor reverses the clock")
    func backwardJumpKeepsMonotonicPace() {
        var clock = ReplicatedClock()
        clock.start(registry: wall0, wall: wall0, at: at(0))
        let first = clock.reading(wall: wall0 - Self.hour, registry: wall0, at: at(1))
        let second = clock.reading(wall: wall0 - Self.hour + Self.second, registry: wall0, at: at(3))
        #expect(first == wall0 + Self.second)
        #expect(second == wall0 + 3 * Self.second)
    }

    @Test("a wall clock that agrees with the monotonic clock is followed exactly")
    func followsAGoodWallClock() {
        var clock = ReplicatedClock()
        clock.start(registry: wall0 - 500_000_000, wall: wall0, at: at(0))
        var readings: [UInt64] = []
        for step in 1...60 {
            readings.append(clock.reading(wall: wall0 + UInt64(step) * Self.second, registry: wall0, at: at(Double(step))))
        }
        // Half a second behind at the start (the registry's clock), caught up within ~5 s.
        #expect(readings.last == wall0 + 60 * Self.second)
        #expect(readings == readings.sorted())
    }

    @Test("a registry clock ahead of the readings (an earlier leader's stamps) is adopted; an empty registry starts at the wall clock")
    func registryAndEmptyRegistry() {
        var clock = ReplicatedClock()
        clock.start(registry: wall0, wall: wall0, at: at(0))
        #expect(clock.reading(wall: wall0, registry: wall0 + 5 * Self.second, at: at(0.001)) == wall0 + 5 * Self.second)
        var fresh = ReplicatedClock()
        #expect(fresh.reading(wall: wall0, registry: 0, at: at(0)) == wall0)
        fresh.stop()
        #expect(fresh.reading(wall: wall0 + Self.hour, registry: wall0 + Self.second, at: at(5)) == wall0 + Self.second)
    }

    @Test("a new leader that saw the registry's clock move starts from it plus the real time since, within the wall clock")
    func startFollowsWhatThisMasterSaw() {
        let moved = ClockObservation(nanos: wall0, at: at(0))
        // An idle cluster, an hour later: the new leader's good wall clock is believed.
        var idle = ReplicatedClock()
        idle.start(registry: wall0, wall: wall0 + Self.hour, moved: moved, at: at(3600))
        #expect(idle.reading(wall: wall0 + Self.hour, registry: wall0, at: at(3600)) == wall0 + Self.hour)
        // Ten seconds later, with a wall clock a day ahead: no further than the ten seconds.
        var jumped = ReplicatedClock()
        jumped.start(registry: wall0, wall: wall0 + 24 * Self.hour, moved: moved, at: at(10))
        #expect(jumped.reading(wall: wall0 + 24 * Self.hour, registry: wall0, at: at(10)) == wall0 + 10 * Self.second)
        // A wall clock behind the registry's: the registry's clock.
        var behind = ReplicatedClock()
        behind.start(registry: wall0, wall: wall0 - Self.hour, moved: moved, at: at(10))
        #expect(behind.reading(wall: wall0 - Self.hour, registry: wall0, at: at(10)) == wall0)
        // Never saw it move (just restarted): the registry's clock, then the slow catch-up.
        var restarted = ReplicatedClock()
        restarted.start(registry: wall0, wall: wall0 + Self.hour, moved: nil, at: at(10))
        #expect(restarted.reading(wall: wall0 + Self.hour, registry: wall0, at: at(20)) == wall0 + 11 * Self.second)
    }

    @Test("over many leaderships with clocks jumped ahead, a 30 s deadline never passes in under 30 / 1.1 s")
    func deadlineHoldsAcrossLeaders() {
        var registry = wall0
        let deadline = wall0 + 30 * Self.second
        var elapsed = 0.0
        var passedAt: Double?
        for leadership in 0..<20 where passedAt == nil {
            var clock = ReplicatedClock()
            clock.start(registry: registry, wall: wall0 + Self.hour * UInt64(leadership + 1), at: at(elapsed))
            for _ in 0..<20 where passedAt == nil {
                elapsed += 0.1
                registry = max(registry, clock.reading(wall: wall0 + Self.hour * UInt64(leadership + 1), registry: registry, at: at(elapsed)))
                if registry >= deadline { passedAt = elapsed }
            }
            elapsed += 0.5  // an election without a leader
        }
        #expect(passedAt != nil)
        #expect((passedAt ?? 0) >= 30 / 1.1 - 0.001)
    }
}
