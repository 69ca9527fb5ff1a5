import CorralRaft
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

/// The same sweep with pre-vote and check-quorum off, and with tiny flow-control windows.
@Suite struct RaftVariantSweepTests {
    @Test(arguments: ["plain", "tight"])
    func seedsPass(variant: String) {
        for seed in UInt64(30_000)..<30_060 {
            let faults = seed % 2 == 0 ? FaultMix.everything : .aggressive
            let config = SimulationConfig(seed: seed, nodes: seed % 3 == 0 ? 5 : 3, faults: faults) { raft in
                if variant == "plain" {
                    raft.preVote = false
                    raft.checkQuorum = false
                } else {
                    raft.maxInflightMessages = 1
                    raft.maxMessageBytes = 1
                    raft.snapshotChunkBytes = 16
                }
            }
            let result = Simulation(config: config).run()
            #expect(result.passed, "\(variant): \(result.summary)")
        }
    }
}
