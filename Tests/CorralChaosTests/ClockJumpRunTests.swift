import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// Clock jumps on real masters: while a scheduler is away (fail-over timeout 10 s), the
/// leader's wall clock jumps an hour ahead for 2 s. Correct masters keep the framework (the
/// replicated clock moves on at most 10% faster than real time); masters that stamp the
/// registry with their wall clock (`wall-clock-deadlines`) remove it, and the checker says so.
@Suite(.serialized, .offCooperativePool) struct ClockJumpRunTests {
    static var scenario: Scenario {
        var away = Scenario.FaultStep(kind: .kill, target: .scheduler, start: .init(1.5, 2), healAfter: .init(4, 4.5))
        away.alongside = false
        var jump = Scenario.FaultStep(kind: .clockJump, target: .leader, start: .init(1, 1.2), healAfter: .init(2, 2.5))
        jump.jumpSeconds = 3600
        jump.alongside = true
        var scenario = Scenario(
            name: "test-clock-jump", masters: 3, network: .loopback, durationSeconds: 9, workload: .init(clients: 2), faults: [away, jump])
        scenario.agents = 1
        scenario.tasks = Scenario.Tasks(schedulers: 1, concurrency: 3, taskSeconds: .init(0.2, 1), failoverTimeoutSeconds: 10, drainSeconds: 20)
        return scenario
    }

    @Test func aLeaderClockJumpRemovesNoFramework() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos-clock")
        defer { scratch.remove() }
        let (summary, report) = try ChaosRunTests.run(Self.scenario, seed: 5, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        #expect(summary.faults.count == 2)
        let faults = try ChaosRunTests.jsonLines("\(report)/faults.jsonl")
        func time(_ kind: String, _ type: String) -> Double? {
            faults.first { $0["kind"] as? String == kind && $0["type"] as? String == type }?["time"] as? Double
        }
        // The jump happened while the scheduler was away: the two faults overlapped.
        let jumpAt = try #require(time("clock-jump", "fault"))
        let awayFrom = try #require(time("kill", "fault"))
        let awayUntil = try #require(time("kill", "heal"))
        #expect(faults.first { $0["kind"] as? String == "clock-jump" }?["jump"] as? Double == 3600)
        #expect(awayFrom < jumpAt && jumpAt < awayUntil, "\(faults)")
        let log = try String(contentsOfFile: "\(report)/master-1.log", encoding: .utf8)
        #expect(log.contains("the wall clock is offset by what"), "\(log.prefix(400))")
    }

    @Test func mastersThatStampTheirWallClockAreCaught() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos-clock")
        defer { scratch.remove() }
        var run = ChaosRun(
            scenario: Self.scenario, seed: 5, binary: try CorralBinary.locate(), reportDirectory: "\(scratch.path)/report")
        run.deliberateBreaks = ["wall-clock-deadlines"]
        let summary = try run.run()
        print(summary.text)
        #expect(summary.violations.contains { $0.contains("was removed before the end") }, "\(summary.violations)")
    }
}
