import CorralSimulation
import Testing

/// One seed gives one run.
@Suite struct DeterminismTests {
    @Test(arguments: [UInt64(7), 8, 9])
    func sameSeedSameTrace(seed: UInt64) {
        let config = SimulationConfig(seed: seed, nodes: seed % 2 == 0 ? 3 : 5, faults: .everything, trace: true)
        let first = Simulation(config: config).run()
        let second = Simulation(config: config).run()
        #expect(first.traceHash == second.traceHash, "seed \(seed): trace hashes differ")
        #expect(first.trace == second.trace, "seed \(seed): traces differ")
        #expect(first.counters == second.counters, "seed \(seed): counters differ")
        #expect(!first.trace.isEmpty)
    }

    @Test func traceModeDoesNotChangeTheRun() {
        let quiet = Simulation(config: SimulationConfig(seed: 3, faults: .everything)).run()
        let traced = Simulation(config: SimulationConfig(seed: 3, faults: .everything, trace: true)).run()
        #expect(quiet.traceHash == traced.traceHash)
        #expect(quiet.trace.isEmpty)
    }

    @Test func differentSeedsDiffer() {
        let a = Simulation(config: SimulationConfig(seed: 1, faults: .network)).run()
        let b = Simulation(config: SimulationConfig(seed: 2, faults: .network)).run()
        #expect(a.traceHash != b.traceHash)
    }
}
