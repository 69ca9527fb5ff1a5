import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// A deposed leader's launches are never executed: the leader is cut off from the other
/// masters (agents and the scheduler still reach it) while tasks are being launched. Correct
/// masters commit a launch before they tell the agent, so every task that ran is in the
/// registry; masters broken with `launch-before-commit` tell the agent first, and the
/// launches of a leader that loses its office before the commit run unknown to the registry,
/// which `TaskChecks.launchesCommitted` catches.
@Suite(.serialized, .offCooperativePool) struct DeposedLaunchRunTests {
    static var scenario: Scenario {
        var scenario = Scenario(
            name: "test-deposed-launch", masters: 3, network: .namespaces, durationSeconds: 14, workload: .init(clients: 2),
            faults: [.init(kind: .isolate, target: .leader, start: .init(1.5, 2), healAfter: .init(2, 2.5), repeats: 3, gap: .init(1, 1.5))])
        scenario.agents = 1
        scenario.tasks = Scenario.Tasks(schedulers: 1, concurrency: 6, taskSeconds: .init(0.2, 0.6), killFraction: 0.1, drainSeconds: 20)
        return scenario
    }

    @Test func correctMastersRunOnlyCommittedLaunches() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos-deposed")
        defer { scratch.remove() }
        let (summary, _) = try ChaosRunTests.run(Self.scenario, seed: 1, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
    }

    /// The break shows only when a leader is cut off between telling the agent and the
    /// commit, which a seed's timing may not give: up to six seeds (three missed it once in CI).
    @Test func mastersThatLaunchBeforeTheCommitAreCaught() throws {
        let (caught, seen) = try DeliberateBreakTests.caught("launch-before-commit", in: Self.scenario, seeds: 1...6) {
            $0.contains("but no commit launched it")
        }
        #expect(caught, "no uncommitted launch caught in 6 seeds; violations: \(seen)")
    }
}
