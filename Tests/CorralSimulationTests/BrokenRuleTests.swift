@_spi(Testing) import CorralRaft
@_spi(Testing) import CorralSimulation
import Testing

/// Breaking a Raft safety rule on purpose must make the simulator report a violation
/// within a bounded number of seeds: the checkers bite.
@Suite struct BrokenRuleTests {
    /// Where a broken rule shows: the fault mix and cluster shape that provoke it, and how
    /// many seeds it may take.
    struct Budget {
        var faults: FaultMix
        var nodes: Int
        var learners = 0
        var limit: UInt64
    }

    /// Figure 8 needs a rare chain of events (an isolated leader's tail, a second leader's
    /// conflicting tail, the first re-elected, a crash right after a counted commit), so
    /// that rule gets a larger budget and the 3-node cluster, where the chain is shortest.
    /// A self-vote counted before it is durable shows with one voter and learners; a
    /// metadata-only snapshot body with crashes; a campaign on one refusal with false ones;
    /// accepting damaged state with a log cut below its commit index.
    static func budget(for rule: BrokenRule) -> Budget {
        switch rule.rawValue {
        case "commitPreviousTermByCounting": return Budget(faults: .aggressive, nodes: 3, limit: 1_000)
        case "countSelfVoteBeforeDurable": return Budget(faults: .aggressive, nodes: 3, learners: 2, limit: 300)
        case "sendMetadataOnlySnapshot": return Budget(faults: .crashes, nodes: 3, learners: 1, limit: 200)
        case "campaignOnSingleRefusal": return Budget(faults: .refusals, nodes: 3, limit: 200)
        case "acceptCommittedConflict": return Budget(faults: .restarts, nodes: 3, limit: 200)
        default: return Budget(faults: .aggressive, nodes: 5, limit: 1_000)
        }
    }

    /// Searches seeds `1...limit` until one fails; returns that result.
    static func firstFailure(
        budget: Budget, breaking rules: Set<BrokenRule> = [], shellRules: Set<BrokenShellRule> = []
    ) -> SimulationResult? {
        for seed in 1...budget.limit {
            var config = SimulationConfig(seed: seed, nodes: budget.nodes, learners: budget.learners, faults: budget.faults) { raft in
                raft.brokenRules = rules
                // One entry per append, so a new leader's old-term entries can reach a
                // majority before its own first entry does.
                if !rules.isEmpty { raft.maxMessageBytes = 32 }
            }
            config.brokenShellRules = shellRules
            let result = Simulation(config: config).run()
            if !result.passed { return result }
        }
        return nil
    }

    @Test(arguments: BrokenRule.allCases)
    func brokenRuleIsCaught(rule: BrokenRule) {
        let budget = Self.budget(for: rule)
        let found = Self.firstFailure(budget: budget, breaking: [rule])
        #expect(found != nil, "breaking \(rule.rawValue) went unnoticed over \(budget.limit) seeds")
        if let found {
            print("\(rule.rawValue): caught by \(found.summary)")
        }
    }

    /// A sync point that does not sync lets the log be compacted past the state a power
    /// loss falls back to (issue 13, defect 4): the node cannot start again.
    @Test func compactingPastTheSyncedStateIsCaught() throws {
        let budget = Budget(faults: .restarts, nodes: 3, limit: 50)
        let found = try #require(Self.firstFailure(budget: budget, shellRules: [.compactPastSyncedState]))
        print("compactPastSyncedState: caught by \(found.summary)")
        let violation = try #require(found.violations.first)
        #expect(violation.rule == .recovery)
        #expect(violation.message.contains("metadata-only snapshot"))
    }

    /// A wiped voter that bootstraps again instead of refusing to start (issue 13, defect 6)
    /// comes back with a term and commit index behind what it had stored.
    @Test func aWipedVoterRejoiningFreshIsCaught() throws {
        let budget = Budget(faults: .restarts, nodes: 3, limit: 100)
        let found = try #require(Self.firstFailure(budget: budget, shellRules: [.rejoinWipedVoterFresh]))
        print("rejoinWipedVoterFresh: caught by \(found.summary)")
        #expect(found.violations.first?.rule == .monotonicState)
    }

    /// The shared effect interpreter letting votes and replies out before their writes are
    /// durable: a node that crashes before the write votes again in the same term.
    @Test func sendingBeforeTheWriteIsDurableIsCaught() throws {
        let budget = Budget(faults: .crashes, nodes: 3, limit: 50)
        let found = try #require(Self.firstFailure(budget: budget, shellRules: [.sendBeforeDurable]))
        print("sendBeforeDurable: caught by \(found.summary)")
    }
}
