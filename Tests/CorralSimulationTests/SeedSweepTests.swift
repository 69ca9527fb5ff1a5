import CorralSimulation
import Testing

/// The sweep: many seeds per fault mix and cluster size against the real Raft node.
@Suite struct SeedSweepTests {
    static let mixes: [String] = FaultMix.named.map(\.name)
    /// Seeds per (mix, size); 7 mixes × 2 sizes × 60 = 840 seeds.
    static let seedsPerCase: UInt64 = 60

    @Test(arguments: mixes, [3, 5])
    func seedsPass(mix: String, nodes: Int) throws {
        let faults = try #require(FaultMix.named(mix))
        let base: UInt64 = nodes == 3 ? 10_000 : 20_000
        for seed in base..<(base + Self.seedsPerCase) {
            let result = Simulation(config: SimulationConfig(seed: seed, nodes: nodes, faults: faults)).run()
            #expect(result.passed, "\(result.summary)")
            #expect(result.counters.acknowledged > 0, "seed \(seed): nothing acknowledged")
        }
    }
}
