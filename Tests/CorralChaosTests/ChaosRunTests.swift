import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// A short real run: three `corral master` processes, the register workload, the leader
/// killed and restarted; the run must pass every checker and leave a full report and no
/// process behind.
@Suite(.serialized, .offCooperativePool) struct ChaosRunTests {
    static let scenario = Scenario(
        name: "test-leader-kill", masters: 3, durationSeconds: 9, workload: .init(clients: 4),
        faults: [.init(kind: .kill, target: .leader, start: .init(1.5, 2), healAfter: .init(0.5, 1), repeats: 2, gap: .init(1.5, 2))])

    @Test func aLeaderKillRunPassesTheCheckersAndWritesItsReport() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let report = "\(scratch.path)/report"
        let run = ChaosRun(scenario: Self.scenario, seed: 7, binary: try CorralBinary.locate(), reportDirectory: report)
        let summary = try run.run()
        print(summary.text)
        #expect(summary.passed, "\(summary.violations)")
        #expect(summary.faults.count == 2)
        #expect(summary.failoverSeconds.count == 2 && summary.failoverSeconds.allSatisfy { $0 != nil })
        #expect(summary.convergenceSeconds != nil)
        #expect(summary.operationCount > 20)
        for file in ["history.jsonl", "faults.jsonl", "leaders.jsonl", "summary.json", "master-1.log", "master-2.log", "master-3.log"] {
            #expect(FileManager.default.fileExists(atPath: "\(report)/\(file)"), "\(file) missing")
        }
        let faults = try String(contentsOfFile: "\(report)/faults.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(faults.count == 4 && faults[0].contains("\"type\":\"fault\"") && faults[1].contains("\"type\":\"heal\""))
        let history = try String(contentsOfFile: "\(report)/history.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(history.count == 2 * summary.operationCount)
        let masters = try ProcessChildren.count(of: getpid(), named: "corral")
        #expect(masters == 0, "masters left running after the run")
    }
}

/// Counts this process's live children with a given executable name, from /proc.
enum ProcessChildren {
    static func count(of parent: pid_t, named name: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int32($0) != nil }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
            // "pid (comm) state ppid ..."
            guard let close = stat.lastIndex(of: ")") else { return false }
            let comm = stat[stat.index(after: stat.firstIndex(of: "(") ?? stat.startIndex)..<close]
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return comm == name && fields.count > 1 && fields[1] == "\(parent)" && fields[0] != "Z"
        }.count
    }
}
