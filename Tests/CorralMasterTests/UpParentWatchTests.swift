import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `corral up --exit-with-parent`: when the process that started it dies (a test run that
/// crashed), it stops its masters as Ctrl-C does and ends, instead of running on.
@Suite(.offCooperativePool) struct UpParentWatchTests {
    @Test func aClusterWhoseStarterDiesIsStopped() throws {
        let scratch = try ScratchDirectory(prefix: "corral-up-orphan")
        let root = URL(fileURLWithPath: scratch.path).standardizedFileURL.path
        defer {
            for pid in UpProcess.processes(matching: root) { kill(pid, SIGKILL) }
            scratch.remove()
        }
        let output = root + "/up.out"
        let pidFile = root + "/up.pid"
        // A shell starts `corral up` and waits for it: the shell is its parent, as a test run is.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c", #""$0" up --data-dir "$1" --raft-port 0 --http-port 0 --agents 0 --no-demo --exit-with-parent >"$2" 2>&1 & echo $! >"$3"; wait"#,
            try CorralBinary.locate(), root + "/data", output, pidFile,
        ]
        shell.environment = ProcessInfo.processInfo.environment.merging(["CORRAL_ROOT": root + "/state"]) { $1 }
        try shell.runWithoutInheritedFiles()
        defer { if shell.isRunning { kill(shell.processIdentifier, SIGKILL) } }
        let text = { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        let masters = { UpProcess.processes(matching: root).filter { Self.command($0).contains(" master --node-id ") } }
        try eventuallyBlocking("the cluster is up", seconds: 90) { text().contains("started 3 masters") && masters().count == 3 }
        let up = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(Self.isAlive(up))

        kill(shell.processIdentifier, SIGKILL)
        shell.waitUntilExit()
        try eventuallyBlocking("corral up and its masters are gone", seconds: 90) {
            !Self.isAlive(up) && masters().isEmpty
        }
        #expect(text().contains("the process that started corral up is gone: stopping the cluster"), "\(text())")
        #expect(text().contains("\nstopped"), "it stopped as Ctrl-C stops it: \(text())")
    }

    /// Whether `pid` runs (a zombie, ended but not yet reaped by its new parent, does not).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.range(of: ") ", options: .backwards)
        else { return false }
        return stat[close.upperBound...].first != "Z"
    }

    static func command(_ pid: Int32) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return " " + String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }
}
