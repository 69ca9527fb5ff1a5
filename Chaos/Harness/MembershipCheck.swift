import CorralMaster
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// After a run with `replace` steps: every member the harness expects is a voter, on every
/// member's own view, and nothing else is (no master it removed, no learner left over).
public enum MembershipCheck {
    /// One member's view of the configuration (nil: it did not answer).
    public struct View: Sendable, Hashable {
        public var voters: [UInt64]
        public var learners: [UInt64]

        public init(voters: [UInt64], learners: [UInt64]) {
            self.voters = voters
            self.learners = learners
        }
    }

    /// What is wrong with `views` (each expected member's), given the members the harness
    /// expects and those it removed.
    public static func violations(expected: [UInt64], removed: [UInt64], views: [UInt64: View?]) -> [String] {
        let want = expected.sorted()
        var found: [String] = []
        for id in want {
            guard let answered = views[id], let view = answered else {
                found.append("membership: m\(id) did not answer /quorum/status at the end; expected voters \(names(want))")
                continue
            }
            if view.voters.sorted() != want || !view.learners.isEmpty {
                found.append(
                    "membership: m\(id) has voters \(names(view.voters.sorted())) and learners \(names(view.learners.sorted())) at the end; expected voters \(names(want)) and no learner")
            }
            let stale = removed.filter { view.voters.contains($0) || view.learners.contains($0) }
            if !stale.isEmpty { found.append("membership: m\(id) still counts removed \(names(stale)) as members") }
        }
        return found
    }

    /// The check on the running cluster: asks every member now, for up to `seconds` until
    /// they all agree with what the harness expects (a member that has just converged has
    /// the same log, so the first round normally settles it).
    static func violations(_ cluster: ChaosCluster, seconds: Double = 5) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var found: [String] = []
        repeat {
            let expected = cluster.ids
            var views: [UInt64: View?] = [:]
            for id in expected { views[id] = cluster.status(id).map { View(voters: $0.raft.voters, learners: $0.raft.learners) } }
            found = violations(expected: expected, removed: cluster.removed, views: views)
            if found.isEmpty { return [] }
            usleep(200_000)
        } while Date() < deadline
        return found
    }

    private static func names(_ ids: [UInt64]) -> String { ids.isEmpty ? "none" : ids.map { "m\($0)" }.joined(separator: ",") }
}
