import CorralMaster
import CorralTestSupport
import Testing

/// `corral up`'s restart policy: backoff that grows while a process keeps dying young, starts
/// over once it ran long enough, and gives up on a crash loop; `never` restarts nothing.
@Suite(.offCooperativePool) struct UpSupervisionTests {
    @Test func aDeadProcessIsRestartedWithAGrowingBackoffUntilItCrashLoops() {
        var supervision = UpSupervision(restart: .always)
        supervision.crashLoopLimit = 3
        var now = ContinuousClock.now
        supervision.started("master 1", now: now)
        supervision.started("master 2", now: now)

        #expect(supervision.ended("master 1", how: "killed by signal 9", now: now)
            == [.say("master 1 ended (killed by signal 9); restarting it in 500 ms")])
        #expect(supervision.tick(now: now + .milliseconds(499)).isEmpty)
        #expect(supervision.tick(now: now + .milliseconds(500)) == [.start("master 1")])
        #expect(supervision.tick(now: now + .milliseconds(600)).isEmpty, "one start per death")
        now += .milliseconds(500)
        supervision.started("master 1", now: now)
        #expect(supervision.ended("master 1", how: "exited with status 1", now: now + .seconds(1))
            == [.say("master 1 ended (exited with status 1); restarting it in 1 s")])
        #expect(supervision.tick(now: now + .seconds(2)) == [.start("master 1")])
        supervision.started("master 1", now: now + .seconds(2))
        let third = supervision.ended("master 1", how: "exited with status 1", now: now + .seconds(3))
        #expect(third.count == 1)
        if case .say(let line)? = third.first { #expect(line.contains("crash-looping")) }
        #expect(supervision.tick(now: now + .seconds(60)).isEmpty)
        // The survivor was never touched; a second report of one end changes nothing.
        #expect(supervision.ended("master 1", how: "again", now: now + .seconds(61)).isEmpty)
    }

    @Test func aProcessThatRanLongEnoughStartsOverAtTheFirstBackoff() {
        var supervision = UpSupervision(restart: .always)
        let start = ContinuousClock.now
        supervision.started("agent 1", now: start)
        _ = supervision.ended("agent 1", how: "x", now: start)
        supervision.started("agent 1", now: start + .seconds(1))
        #expect(supervision.ended("agent 1", how: "x", now: start + .seconds(2)) == [.say("agent 1 ended (x); restarting it in 1 s")])
        supervision.started("agent 1", now: start + .seconds(3))
        #expect(supervision.ended("agent 1", how: "x", now: start + .seconds(40)) == [.say("agent 1 ended (x); restarting it in 500 ms")])
    }

    @Test func neverRestartsNothing() {
        var supervision = UpSupervision(restart: .never)
        let now = ContinuousClock.now
        supervision.started("master 3", now: now)
        #expect(supervision.ended("master 3", how: "killed by signal 9", now: now)
            == [.say("master 3 ended (killed by signal 9); not restarting it (--restart never)")])
        #expect(supervision.tick(now: now + .seconds(100)).isEmpty)
    }
}
