import Testing

@testable import CorralReplication

/// The ticker delivers at most one tick per wake-up: after a pause (SIGSTOP, a stalled
/// host) a node must not replay every tick it missed, which would expire its election
/// timeout before it reads the messages that arrived meanwhile.
struct TickScheduleTests {
    let start = ContinuousClock.now

    @Test func aLateWakeUpDeliversOneTickAndStartsAFreshInterval() {
        var schedule = TickSchedule(start: start, interval: .milliseconds(10))
        #expect(schedule.due(at: start + .milliseconds(5)) == 0)
        #expect(schedule.due(at: start + .milliseconds(10)) == 1)
        // A five-second pause: one tick, not five hundred.
        let woke = start + .seconds(5)
        #expect(schedule.due(at: woke) == 1)
        #expect(schedule.due(at: woke + .milliseconds(9)) == 0)
        #expect(schedule.due(at: woke + .milliseconds(10)) == 1)
    }

    @Test func aSlightlyLateTickKeepsTheCadence() {
        var schedule = TickSchedule(start: start, interval: .milliseconds(10))
        #expect(schedule.due(at: start + .milliseconds(14)) == 1)
        #expect(schedule.due(at: start + .milliseconds(19)) == 0)
        #expect(schedule.due(at: start + .milliseconds(20)) == 1)
    }
}
