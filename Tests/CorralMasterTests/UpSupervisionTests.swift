import CorralMaster
import CorralTestSupport
import Foundation
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

/// `corral up`'s report that a restarted master caught up: its applied index reaches the
/// leader's commit index as first seen after the restart, or it leads.
@Suite struct CatchUpWatchTests {
    static func status(_ id: UInt64, role: String, commit: UInt64, applied: UInt64) throws -> QuorumStatus {
        let json = """
            {"clusterID": "c", "members": [], "raft": {"id": \(id), "role": "\(role)", "term": 2, "leader": 1,
             "commitIndex": \(commit), "appliedIndex": \(applied), "lastIndex": \(commit), "firstIndex": 1,
             "snapshotIndex": 0, "voters": [1, 2, 3], "learners": [], "followers": []}}
            """
        return try JSONDecoder().decode(QuorumStatus.self, from: Data(json.utf8))
    }

    @Test func aRestartedMasterIsReportedOnceItAppliedWhatTheLeaderHadCommitted() throws {
        var watch = CatchUpWatch()
        let start = ContinuousClock.now
        #expect(try watch.observe([Self.status(1, role: "leader", commit: 40, applied: 40)], now: start).isEmpty, "nobody restarted")
        watch.restarted(2, now: start)
        // Not answering yet, then behind: the target is the leader's commit index when first seen.
        #expect(try watch.observe([Self.status(1, role: "leader", commit: 50, applied: 50)], now: start).isEmpty)
        #expect(try watch.observe([
            Self.status(1, role: "leader", commit: 70, applied: 70), Self.status(2, role: "follower", commit: 45, applied: 45),
        ], now: start + .milliseconds(100)).isEmpty)
        #expect(watch.waiting == [2])
        // Writes since do not move the target.
        let lines = try watch.observe([
            Self.status(1, role: "leader", commit: 90, applied: 90), Self.status(2, role: "follower", commit: 55, applied: 52),
        ], now: start + .milliseconds(300))
        #expect(lines == ["master 2 caught up: applied index 52 (the leader's commit index was 50) 300 ms after it started again"])
        #expect(watch.waiting.isEmpty)
        #expect(try watch.observe([Self.status(2, role: "follower", commit: 90, applied: 90)], now: start + .seconds(1)).isEmpty, "once")
    }

    @Test func aRestartedMasterThatLeadsHasCaughtUp() throws {
        var watch = CatchUpWatch()
        let start = ContinuousClock.now
        watch.restarted(3, now: start)
        let lines = try watch.observe([Self.status(3, role: "leader", commit: 10, applied: 8)], now: start + .seconds(2))
        #expect(lines == ["master 3 caught up: applied index 8 (the leader's commit index was 10) 2 s after it started again; it leads now"])
    }
}
