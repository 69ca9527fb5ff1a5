import ArgumentParser
import CorralChaos
import Foundation

/// `corral-chaos run SCENARIO --seed N`: one run, its report and its verdict.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run one scenario file with one seed.")

    @Argument(help: "A scenario file, e.g. Chaos/Scenarios/leader-kill-under-load.toml.")
    var scenario: String

    @Option(help: "Drives fault choice and timing and the workload; the same seed replays the same schedule (default: random).")
    var seed: UInt64?

    @Option(help: "The report directory (default: chaos-reports/<scenario>-<seed>).")
    var report: String?

    @OptionGroup var common: CommonOptions

    @Option(
        name: .customLong("deliberately-broken"),
        help: ArgumentHelp("Start the masters with this defect (ack-before-commit, local-reads), to see a checker catch it; for testing the checkers only.", visibility: .hidden))
    var deliberateBreaks: [String] = []

    func run() throws {
        let scenario = try loadScenario(self.scenario)
        let binary = try common.binary()
        let seed = seed ?? UInt64.random(in: 1...999_999)
        let summary = try runOnce(scenario, seed: seed, binary: binary, report: report ?? "chaos-reports/\(scenario.name)-\(seed)", deliberateBreaks: deliberateBreaks)
        if !summary.passed { throw ExitCode(1) }
    }
}
