import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// An agent acts on no deposed leader's record. The `agent.stream.desync` failpoint replays,
/// after each new leader's SUBSCRIBED on an agent's stream, a record the previous leader's
/// stream carried (what a middlebox that mixes up its upstream connections would do), while
/// the leader is killed again and again: correct agents leave those streams and the run
/// passes; agents with their term fence off (`agent-stale-term`) take those records, which
/// `AgentTerms` catches in their logs.
@Suite(.serialized, .offCooperativePool) struct StaleTermAgentRunTests {
    static var scenario: Scenario {
        get throws {
            var scenario = try Scenario.load(path: "\(ScenarioParsingTests.folder)/agent-desync.toml")
            scenario.durationSeconds = 14
            scenario.faults[0].repeats = 3
            return scenario
        }
    }

    @Test func correctAgentsLeaveTheStreamsThatCarryAnOlderTerm() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos-desync")
        defer { scratch.remove() }
        let (summary, _) = try ChaosRunTests.run(try Self.scenario, seed: 1, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        #expect(
            summary.notes.contains { $0.contains("agent.stream.desync replayed") },
            "no record was replayed: \(summary.notes)"
        )
    }

    @Test func agentsWithoutTheTermFenceAreCaught() throws {
        let (caught, seen) = try DeliberateBreakTests.caught("agent-stale-term", in: try Self.scenario) {
            $0.contains("acted on a deposed leader's record")
        }
        #expect(caught, "no stale-term agent caught in 3 seeds; violations: \(seen)")
    }
}
