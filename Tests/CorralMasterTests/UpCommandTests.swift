import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `corral up` as a person runs it: a leader SIGKILLed is reported, a new leader follows, the
/// dead master comes back, the survivors are never stopped, and Ctrl-C leaves nothing behind.
@Suite(.serialized, .offCooperativePool) struct UpCommandTests {
    static func processes(matching text: String) -> [Int32] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return all.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let command = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return command.contains(text)
        }
    }

    @Test func aKilledLeaderIsReportedReplacedAndRestartedAndCtrlCStopsEverything() async throws {
        let scratch = try ScratchDirectory(prefix: "corral-up")
        // The processes name their data directory as `corral up` resolved it.
        let root = URL(fileURLWithPath: scratch.path).standardizedFileURL.path
        defer {
            for pid in Self.processes(matching: root) { kill(pid, SIGKILL) }
            scratch.remove()
        }
        let output = scratch.path + "/up.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let up = Process()
        up.executableURL = URL(fileURLWithPath: try CorralBinary.locate())
        up.arguments = ["up", "--data-dir", root + "/data", "--raft-port", "0", "--http-port", "0", "--agents", "1"]
        // The demo imports busybox into the state root: this test's own, not the machine's.
        up.environment = ProcessInfo.processInfo.environment.merging(["CORRAL_ROOT": root + "/state"]) { $1 }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        up.standardOutput = handle
        up.standardError = handle
        try up.run()
        defer { if up.isRunning { kill(up.processIdentifier, SIGKILL) } }
        func text() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        func lines(_ prefix: String) -> [String] { text().split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) } }

        try await eventually("the demo job ran and a leader is reported", seconds: 90) {
            !lines("leader: master").isEmpty && lines("demo: demo-").count == 3
        }
        #expect(lines("demo: demo-").allSatisfy { $0.contains("TASK_FINISHED: hello from demo-") }, "\(text())")
        let leader = try #require(lines("leader: master").last?.split(separator: " ").dropFirst(2).first.map(String.init))
        let victims = Self.processes(matching: "master --node-id \(leader) ").filter { pid in
            Self.processes(matching: root).contains(pid)
        }
        #expect(victims.count == 1, "master \(leader): \(victims)\n\(text())")
        for pid in victims { kill(pid, SIGKILL) }
        try await eventually("the death reported, a new leader and the master back", seconds: 30) {
            let all = text()
            return all.contains("master \(leader) ended (killed by signal 9)") && all.contains("master \(leader) started again")
                && lines("leader: master").contains { !$0.hasPrefix("leader: master \(leader) ") && $0.contains("without a leader") }
        }
        #expect(!text().contains("stopping the cluster"), "the survivors must not be stopped:\n\(text())")
        #expect(Self.processes(matching: "agent --masters").filter { Self.processes(matching: root).contains($0) }.count == 1)

        kill(up.processIdentifier, SIGINT)
        try await eventually("corral up exits", seconds: 30) { !up.isRunning }
        #expect(up.terminationStatus == 0, "\(text())")
        #expect(text().contains("stopped"))
        #expect(Self.processes(matching: root).isEmpty, "left running after Ctrl-C")
    }
}
