import CorralSimulation
import Testing

/// The liveness phase reports a cluster that does not converge in time.
@Suite struct LivenessTests {
    @Test func unreachableGoalIsReportedWithItsSeed() throws {
        let config = SimulationConfig(seed: 77, nodes: 3, faults: .none, durationTicks: 50, livenessTicks: 20, livenessCommands: 10_000)
        let result = Simulation(config: config).run()
        let violation = try #require(result.violations.first)
        #expect(violation.rule == .liveness)
        #expect(result.summary.contains("seed 77"))
        #expect(result.summary.contains("corral sim --seed 77"))
    }

    @Test func healedClusterConvergesAndCountsItsWork() {
        let result = Simulation(config: SimulationConfig(seed: 5, nodes: 5, faults: .everything)).run()
        #expect(result.passed, "\(result.summary)")
        #expect(result.counters.elections >= 1)
        #expect(result.counters.acknowledged >= 5)
        #expect(result.counters.simulatedSeconds > 4)
    }
}
