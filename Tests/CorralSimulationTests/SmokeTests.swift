import CorralSimulation
import Testing

@Suite struct SmokeTests {
    @Test func oneSeedPerMix() {
        for (name, mix) in FaultMix.named {
            for nodes in [3, 5] {
                let clock = ContinuousClock()
                var result: SimulationResult?
                let elapsed = clock.measure {
                    result = Simulation(config: SimulationConfig(seed: 1, nodes: nodes, faults: mix)).run()
                }
                if let result {
                    print("\(name) \(nodes): \(result.summary) \(result.counters) wall \(elapsed)")
                }
            }
        }
    }
}
