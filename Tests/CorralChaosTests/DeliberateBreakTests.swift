import CorralChaos
import CorralMaster
import CorralTestSupport
import Foundation
import Testing

/// The checkers bite: masters started with a deliberate defect (`DeliberateBreak`, turned on
/// only through `CORRAL_DELIBERATELY_BROKEN`) fail a chaos run that correct masters pass
/// (`ChaosRunTests.anIsolateLeaderRunInNamespacesPasses` runs the same scenario).
@Suite(.serialized, .offCooperativePool) struct DeliberateBreakTests {
    @Test func theVariableNamesKnownBreaksOnly() throws {
        #expect(try DeliberateBreak.parse([:]).isEmpty)
        #expect(try DeliberateBreak.parse([DeliberateBreak.variable: ""]).isEmpty)
        #expect(try DeliberateBreak.parse([DeliberateBreak.variable: "local-reads, ack-before-commit"]) == [.localReads, .ackBeforeCommit])
        #expect(throws: MasterError.self) { try DeliberateBreak.parse([DeliberateBreak.variable: "local-reads,skip-fsync"]) }
        do {
            _ = try DeliberateBreak.parse([DeliberateBreak.variable: "skip-fsync"])
        } catch {
            #expect(error.message.contains("'skip-fsync' is not a deliberate break"), "\(error.message)")
        }
    }

    /// Runs the isolate-leader test scenario against masters broken with `name`, seeds 1, 2, 3
    /// in turn, until one run fails with a violation that `matches`; returns the violations of
    /// every run, for the message when none did.
    static func caught(
        _ name: String, in scenario: Scenario = ChaosRunTests.isolation, seeds: ClosedRange<UInt64> = 1...3,
        matches: (String) -> Bool
    ) throws -> (Bool, [String]) {
        var seen: [String] = []
        for seed in seeds {
            let scratch = try ScratchDirectory(prefix: "corral-chaos-broken")
            defer { scratch.remove() }
            var run = ChaosRun(
                scenario: scenario, seed: seed, binary: try CorralBinary.locate(),
                reportDirectory: "\(scratch.path)/report")
            run.deliberateBreaks = [name]
            let summary = try run.run()
            print(summary.text)
            #expect(ProcessTable.pids(withArgumentContaining: scratch.path).isEmpty, "masters left running after the run")
            seen += summary.violations.map { "seed \(seed): \($0)" }
            if summary.violations.contains(where: matches) { return (true, seen) }
        }
        return (false, seen)
    }

    /// A leader that answers a write before its commit loses writes it acknowledged when it is
    /// cut off: the linearizability checker finds a read that missed one.
    @Test func aMasterThatAcknowledgesBeforeTheCommitIsCaught() throws {
        let (caught, violations) = try Self.caught("ack-before-commit") { $0.hasPrefix("not linearizable") }
        #expect(caught, "no linearizability violation in 3 seeds; violations: \(violations)")
    }

    /// A master that answers reads from its own copy serves stale values while it is cut off.
    @Test func aMasterThatServesReadsFromItsOwnCopyIsCaught() throws {
        let (caught, violations) = try Self.caught("local-reads") { $0.hasPrefix("not linearizable") }
        #expect(caught, "no linearizability violation in 3 seeds; violations: \(violations)")
    }
}
