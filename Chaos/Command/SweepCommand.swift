import ArgumentParser
import CorralChaos
import Foundation

/// `corral-chaos sweep --scenarios DIR --seeds N`: every scenario with N seeds, then a table.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep", abstract: "Run every scenario in a folder with several seeds and print a table.")

    @Option(help: "The folder of *.toml scenarios.")
    var scenarios = "Chaos/Scenarios"

    @Option(help: "How many seeds per scenario.")
    var seeds = 10

    @Option(help: "The first seed; the others follow it.")
    var firstSeed: UInt64 = 1

    @Option(help: "Only these scenarios (comma-separated names without .toml).")
    var only: String?

    @Option(help: "Where the report directories go.")
    var reports = "chaos-reports"

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard seeds > 0 else { throw ValidationError("--seeds must be at least 1") }
    }

    func run() throws {
        let binary = try common.binary()
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: scenarios).filter { $0.hasSuffix(".toml") }.sorted()
        } catch {
            throw ValidationError("cannot list the scenarios folder \(scenarios): \(error.localizedDescription)")
        }
        let wanted = only.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
        let loaded = try files.map { try loadScenario("\(scenarios)/\($0)") }.filter { wanted?.contains($0.name) ?? true }
        if let wanted, let missing = wanted.subtracting(loaded.map(\.name)).sorted().first {
            throw ValidationError("--only names \(missing), which is not a scenario in \(scenarios)")
        }
        guard !loaded.isEmpty else { throw ValidationError("no *.toml scenarios in \(scenarios)") }
        var rows: [SweepRow] = []
        for scenario in loaded {
            var row = SweepRow(scenario: scenario.name)
            for offset in 0..<UInt64(seeds) {
                let seed = firstSeed &+ offset
                let summary = try runOnce(scenario, seed: seed, binary: binary, report: "\(reports)/\(scenario.name)-\(seed)")
                row.add(summary)
            }
            rows.append(row)
        }
        say(SweepRow.table(rows))
        if rows.contains(where: { !$0.failedSeeds.isEmpty }) { throw ExitCode(1) }
    }
}

/// One scenario's line in the sweep table.
struct SweepRow {
    var scenario: String
    var seeds = 0
    var violations = 0
    var failedSeeds: [UInt64] = []
    var failovers: [Double] = []
    /// Re-attach times of agents and schedulers after leader faults (scenarios with agents).
    var reattaches: [Double] = []
    var withAgents = false

    mutating func add(_ summary: ChaosSummary) {
        seeds += 1
        violations += summary.violations.count
        if !summary.passed { failedSeeds.append(summary.seed) }
        failovers += summary.failoverSeconds.compactMap { $0 }
        reattaches += summary.reattachSeconds.compactMap { $0 }
        withAgents = withAgents || summary.agents > 0
    }

    static func table(_ rows: [SweepRow]) -> String {
        func ms(_ value: Double?) -> String { value.map { "\(Int(($0 * 1000).rounded())) ms" } ?? "-" }
        let agents = rows.contains(where: \.withAgents)
        let header = ["scenario", "seeds", "violations", "fail-over median", "fail-over max"]
            + (agents ? ["re-attach median", "re-attach max"] : []) + ["failed seeds"]
        let body = rows.map { row -> [String] in
            return [row.scenario, "\(row.seeds)", "\(row.violations)", ms(LeadershipCheck.median(row.failovers)), ms(row.failovers.max())]
                + (agents ? [ms(LeadershipCheck.median(row.reattaches)), ms(row.reattaches.max())] : [])
                + [row.failedSeeds.map(String.init).joined(separator: " ")]
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        let format = { (cells: [String]) in
            "| " + cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        return ([format(header), rule] + body.map(format)).joined(separator: "\n")
    }
}
