import CorralRaft
import CorralSimulation
import Testing

/// The sweep: many seeds per fault mix and cluster shape against the real Raft node.
@Suite struct SeedSweepTests {
    static let mixes: [String] = FaultMix.named.map(\.name)
    /// Voters and learners: 3 and 5 voters, one voter with two learners, two voters with one.
    static let shapes: [String] = ["3", "5", "1+2", "2+1"]
    /// Seeds per (mix, shape); 10 mixes × 4 shapes × 13 = 520 seeds.
    static let seedsPerCase: UInt64 = 13

    @Test(arguments: mixes, shapes)
    func seedsPass(mix: String, shape: String) throws {
        let faults = try #require(FaultMix.named(mix))
        let parts = shape.split(separator: "+").compactMap { Int($0) }
        let voters = parts[0]
        let learners = parts.count > 1 ? parts[1] : 0
        let base = UInt64(10_000 * (Self.shapes.firstIndex(of: shape) ?? 0) + 10_000)
        for seed in base..<(base + Self.seedsPerCase) {
            let config = SimulationConfig(seed: seed, nodes: voters + learners, learners: learners, faults: faults)
            let result = Simulation(config: config).run()
            #expect(result.passed, "\(result.summary)")
            #expect(result.counters.acknowledged > 0, "seed \(seed): nothing acknowledged")
        }
    }
}

/// The same sweep with pre-vote and check-quorum off, and with tiny flow-control windows.
@Suite struct RaftVariantSweepTests {
    @Test(arguments: ["plain", "tight"])
    func seedsPass(variant: String) {
        for seed in UInt64(30_000)..<30_040 {
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
