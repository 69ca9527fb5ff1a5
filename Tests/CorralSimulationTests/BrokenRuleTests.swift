@_spi(Testing) import CorralRaft
import CorralSimulation
import Testing

/// Breaking a Raft safety rule on purpose must make the simulator report a violation
/// within a bounded number of seeds: the checkers bite.
@Suite struct BrokenRuleTests {
    /// Searches seeds `1...limit` until one fails; returns that result.
    static func firstFailure(breaking rule: BrokenRule, faults: FaultMix, nodes: Int, limit: UInt64) -> SimulationResult? {
        for seed in 1...limit {
            let config = SimulationConfig(seed: seed, nodes: nodes, faults: faults) { raft in
                raft.brokenRules = [rule]
                // One entry per append, so a new leader's old-term entries can reach a
                // majority before its own first entry does.
                raft.maxMessageBytes = 32
            }
            let result = Simulation(config: config).run()
            if !result.passed { return result }
        }
        return nil
    }

    /// Figure 8 needs a rare chain of events (an isolated leader's tail, a second leader's
    /// conflicting tail, the first re-elected, a crash right after a counted commit), so
    /// that rule gets a larger budget and the 3-node cluster, where the chain is shortest.
    @Test(arguments: BrokenRule.allCases)
    func brokenRuleIsCaught(rule: BrokenRule) {
        let counting = rule == .commitPreviousTermByCounting
        let limit: UInt64 = 1_000
        let found = Self.firstFailure(breaking: rule, faults: .aggressive, nodes: counting ? 3 : 5, limit: limit)
        #expect(found != nil, "breaking \(rule.rawValue) went unnoticed over \(limit) seeds")
        if let found {
            print("\(rule.rawValue): caught by \(found.summary)")
        }
    }
}
