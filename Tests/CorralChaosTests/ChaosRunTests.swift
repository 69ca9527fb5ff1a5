import CorralContainer
import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// A short real run: three `corral master` processes, the register workload, the leader
/// killed and restarted; the run must pass every checker and leave a full report and no
/// process behind.
@Suite(.serialized, .offCooperativePool) struct ChaosRunTests {
    static let scenario = Scenario(
        name: "test-leader-kill", masters: 3, network: .loopback, durationSeconds: 9, workload: .init(clients: 4),
        faults: [.init(kind: .kill, target: .leader, start: .init(1.5, 2), healAfter: .init(0.5, 1), repeats: 2, gap: .init(1.5, 2))])

    /// Runs `scenario` with `seed`, reporting under `scratch`; returns the summary and the report directory.
    static func run(_ scenario: Scenario, seed: UInt64, in scratch: ScratchDirectory) throws -> (ChaosSummary, String) {
        let report = "\(scratch.path)/report"
        let summary = try ChaosRun(scenario: scenario, seed: seed, binary: try CorralBinary.locate(), reportDirectory: report).run()
        print(summary.text)
        return (summary, report)
    }

    @Test func aLeaderKillRunPassesTheCheckersAndWritesItsReport() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let (summary, report) = try Self.run(Self.scenario, seed: 7, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        #expect(summary.network.hasPrefix("loopback fallback (the scenario asks for it)"), "\(summary.network)")
        #expect(summary.faults.count == 2)
        #expect(summary.failoverSeconds.count == 2 && summary.failoverSeconds.allSatisfy { $0 != nil })
        #expect(summary.convergenceSeconds != nil)
        #expect(summary.operationCount > 20)
        for file in ["history.jsonl", "faults.jsonl", "leaders.jsonl", "summary.json", "report.html", "master-1.log", "master-2.log", "master-3.log"] {
            #expect(FileManager.default.fileExists(atPath: "\(report)/\(file)"), "\(file) missing")
        }
        let faults = try String(contentsOfFile: "\(report)/faults.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(faults.count == 4 && faults[0].contains("\"type\":\"fault\"") && faults[1].contains("\"type\":\"heal\""))
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(report)/summary.json")))
        #expect((written as? [String: Any])?["passed"] as? Bool == true)
        let history = try String(contentsOfFile: "\(report)/history.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(history.count == 2 * summary.operationCount)
        #expect(ProcessTable.pids(withArgumentContaining: report).isEmpty, "masters left running after the run")
    }

    static let isolation = Scenario(
        name: "test-isolate-leader", masters: 3, network: .namespaces, durationSeconds: 10, workload: .init(clients: 4),
        faults: [.init(kind: .isolate, target: .leader, start: .init(1.5, 2), healAfter: .init(2, 2.5), repeats: 2, gap: .init(1.5, 2))])

    /// Isolating the leader with iptables in the masters' namespaces: the majority side elects
    /// a new leader each time, nothing acknowledged is lost, and the namespaces are gone after.
    @Test func anIsolateLeaderRunInNamespacesPasses() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let (summary, report) = try Self.run(Self.isolation, seed: 11, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        #expect(summary.network.hasPrefix("network namespaces"), "\(summary.network)")
        #expect(summary.failoverSeconds.count == 2 && summary.failoverSeconds.allSatisfy { $0 != nil })
        #expect(summary.convergenceSeconds != nil)
        let faults = try Self.jsonLines("\(report)/faults.jsonl").filter { $0["type"] as? String == "fault" }
        #expect(faults.count == 2 && faults.allSatisfy { $0["kind"] as? String == "isolate" && $0["cut"] is String })
        // Read from the report itself: after each cut, the first leader of a later term is on the majority side.
        let leaders = try Self.jsonLines("\(report)/leaders.jsonl").filter { $0["role"] as? String == "leader" }
        for fault in faults {
            guard let time = fault["time"] as? Double, let term = fault["termBefore"] as? Int, let cut = fault["masters"] as? [Int] else {
                Issue.record("a malformed fault line: \(fault)")
                continue
            }
            let next = leaders.first { ($0["time"] as? Double ?? 0) >= time && ($0["term"] as? Int ?? 0) > term }
            let master = next?["master"] as? Int
            #expect(master != nil && !cut.contains(master ?? 0), "after the cut of \(cut) at \(time) s the next leader was \(String(describing: next))")
        }
        #expect(ProcessTable.pids(withArgumentContaining: report).isEmpty, "masters left running after the run")
        let set = summary.network.split(separator: " ").first { $0.hasPrefix(NamespaceNetwork.prefix) }.map { String($0.dropLast(2)) }
        #expect(set != nil)
        if let set { #expect(try NamespaceNetworkTests.leftovers(set).isEmpty, "namespaces left after the run") }
    }

    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Starts `corral-chaos run` on a shipped scenario, its stdout to the file `output`.
    static func start(_ scenario: String, seed: Int, report: String, output: String) throws -> Process {
        let corral = try CorralBinary.locate()
        let command = Process()
        command.executableURL = URL(fileURLWithPath: corral).deletingLastPathComponent().appendingPathComponent("corral-chaos")
        command.arguments = [
            "run", "\(ScenarioParsingTests.folder)/\(scenario).toml", "--seed", "\(seed)", "--report", report, "--corral", corral,
        ]
        if !FileManager.default.fileExists(atPath: output) { _ = FileManager.default.createFile(atPath: output, contents: nil) }
        command.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try command.runWithoutInheritedFiles()
        return command
    }

    /// Ctrl-C during a run kills every master (a paused one too) and exits 130.
    @Test func interruptingTheCommandLeavesNoMasterBehind() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let report = "\(scratch.path)/report"
        let command = try Self.start("paused-leader", seed: 3, report: report, output: "/dev/null")
        defer {
            for pid in ProcessTable.pids(withArgumentContaining: report) { kill(pid, SIGKILL) }
            if command.isRunning { kill(command.processIdentifier, SIGKILL) }
        }
        // The masters' data directories are under the report; the command's own --report is not.
        try eventuallyBlocking("three masters running", seconds: 30) {
            ProcessTable.pids(withArgumentContaining: "\(report)/data").count == 3
        }
        let masters = ProcessTable.pids(withArgumentContaining: "\(report)/data")
        kill(masters[0], SIGSTOP)
        kill(command.processIdentifier, SIGINT)
        command.waitUntilExit()
        #expect(command.terminationStatus == 130)
        try eventuallyBlocking("no master left", seconds: 5) { ProcessTable.pids(withArgumentContaining: report).isEmpty }
        #expect(try NamespaceNetworkTests.leftovers("\(NamespaceNetwork.prefix)\(command.processIdentifier)x").isEmpty)
        #expect(try NamespaceNetworkTests.leftovers(" cc\(command.processIdentifier)x").isEmpty)
    }

    /// A harness killed with SIGKILL cannot clean up: its masters exit with it
    /// (`--exit-with-parent`), and the next start removes its namespaces by name.
    @Test func theNextStartRemovesTheNamespacesOfAKilledHarness() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let report = "\(scratch.path)/report"
        let output = "\(scratch.path)/output"
        let command = try Self.start("isolate-leader", seed: 5, report: report, output: output)
        let set = "\(NamespaceNetwork.prefix)\(command.processIdentifier)x"
        defer {
            for pid in ProcessTable.pids(withArgumentContaining: report) { kill(pid, SIGKILL) }
            if command.isRunning { kill(command.processIdentifier, SIGKILL) }
            NamespaceNetwork.removeStale()
        }
        // Wait for the first cut: by then every master watches its parent (a master killed
        // before it starts watching would not notice that its parent is gone).
        try eventuallyBlocking("the first partition", seconds: 30) {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains(" isolate m")
        }
        #expect(ProcessTable.pids(withArgumentContaining: "\(report)/data").count == 3)
        kill(command.processIdentifier, SIGKILL)
        command.waitUntilExit()
        try eventuallyBlocking("no master left", seconds: 5) { ProcessTable.pids(withArgumentContaining: report).isEmpty }
        let namespaces = try NamespaceNetworkTests.leftovers(set).filter { $0.hasPrefix(set) }
        #expect(namespaces.count == 4, "the killed run's four namespaces should still be there: \(namespaces)")
        let next = try NamespaceNetwork.create(nodes: [1])
        next.remove()
        #expect(try NamespaceNetworkTests.leftovers(set).isEmpty)
        #expect(try NamespaceNetworkTests.leftovers(" cc\(command.processIdentifier)x").isEmpty)
    }

    /// A bad scenario file exits 2 before anything starts.
    @Test func aBadScenarioExitsTwo() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        try "masters = 4\n".write(toFile: "\(scratch.path)/bad.toml", atomically: true, encoding: .utf8)
        let corral = try CorralBinary.locate()
        let command = Process()
        command.executableURL = URL(fileURLWithPath: corral).deletingLastPathComponent().appendingPathComponent("corral-chaos")
        command.arguments = ["run", "\(scratch.path)/bad.toml", "--report", "\(scratch.path)/report"]
        let errors = Pipe()
        command.standardError = errors
        try command.runWithoutInheritedFiles()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        command.waitUntilExit()
        #expect(command.terminationStatus == 2)
        #expect(said.contains("bad.toml: masters: must be 3 or 5, not 4"), "\(said)")
        #expect(!FileManager.default.fileExists(atPath: "\(scratch.path)/report"))
    }
}
