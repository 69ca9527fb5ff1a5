import ArgumentParser
import CorralChaos
import Foundation

/// `corral-chaos`: fault injection against real Corral master quorums, with checkers.
@main
struct ChaosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corral-chaos",
        abstract: "Run chaos scenarios against real corral master quorums and check what they recorded.",
        discussion: """
            Exit status: 0 no violation, 1 a checker found a violation, 2 a bad scenario file or no corral executable, \
            3 the harness itself failed, 64 a bad command line.
            """,
        subcommands: [RunCommand.self, SweepCommand.self])
}

/// Options every subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "The corral executable (default: the one next to corral-chaos).")
    var corral: String?

    /// The corral binary to deploy; exits 2 when it is missing.
    func binary() throws -> String {
        let path = corral ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("corral").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            FileHandle.standardError.write(
                Data("error: no corral executable at \(path); build it (swift build --product corral) or pass --corral PATH\n".utf8))
            throw ExitCode(2)
        }
        return path
    }
}

/// Loads a scenario, or prints the error that names the field and exits 2.
func loadScenario(_ path: String) throws -> Scenario {
    do {
        return try Scenario.load(path: path)
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(2)
    }
}

/// Runs one scenario with one seed, printing its seed first and its summary last.
func runOnce(_ scenario: Scenario, seed: UInt64, binary: String, report: String, deliberateBreaks: [String] = []) throws -> ChaosSummary {
    say("chaos: seed \(seed) (replay with --seed \(seed))")
    ChildReaper.shared.killChildrenOnSignals(note: "scenario \(scenario.name), seed \(seed); report in \(report)")
    do {
        var run = ChaosRun(scenario: scenario, seed: seed, binary: binary, reportDirectory: report, say: say)
        run.deliberateBreaks = deliberateBreaks
        let summary = try run.run()
        say(summary.text)
        return summary
    } catch {
        ChildReaper.shared.killAll()
        FileHandle.standardError.write(Data("harness failure (\(scenario.name), seed \(seed)): \(error)\n".utf8))
        throw ExitCode(3)
    }
}

/// Prints a line at once, also when the output goes to a file.
@Sendable func say(_ line: String) {
    print(line)
    fflush(nil)
}
