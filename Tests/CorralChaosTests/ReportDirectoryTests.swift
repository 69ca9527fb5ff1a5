import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// A run with the scenario and seed of an earlier one replaces its report (whose masters' data
/// belongs to another cluster), and never deletes a directory that is not a report.
@Suite struct ReportDirectoryTests {
    func run(in report: String) -> ChaosRun {
        ChaosRun(scenario: ChaosRunTests.scenario, seed: 1, binary: "/nonexistent", reportDirectory: report)
    }

    @Test func anEarlierReportIsReplaced() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos-report")
        defer { scratch.remove() }
        let report = scratch.path + "/report"
        try FileManager.default.createDirectory(atPath: report + "/data/master-1", withIntermediateDirectories: true)
        for name in ["summary.json", "history.jsonl", "master-1.log"] {
            _ = FileManager.default.createFile(atPath: "\(report)/\(name)", contents: Data("{}".utf8))
        }
        try run(in: report).replaceEarlierReport()
        #expect(!FileManager.default.fileExists(atPath: report))
        // Nothing there: nothing to do.
        try run(in: report).replaceEarlierReport()
    }

    @Test func aDirectoryThatIsNoReportIsRefusedAndKept() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos-report")
        defer { scratch.remove() }
        _ = FileManager.default.createFile(atPath: scratch.path + "/notes.txt", contents: Data("mine".utf8))
        #expect(throws: HarnessFailure.self) { try run(in: scratch.path).replaceEarlierReport() }
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/notes.txt"))
    }
}
