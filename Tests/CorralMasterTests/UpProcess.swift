import CorralContainer
import CorralTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `corral up` child process of a test, as a person runs it, with free ports, its data and
/// image store in a scratch directory, and what it prints in a file.
final class UpProcess {
    let scratch: ScratchDirectory
    /// The scratch directory as `corral up` resolves it: its processes name it in their arguments.
    let root: String
    let process = Process()
    private let output: String

    init(_ arguments: [String]) throws {
        scratch = try ScratchDirectory(prefix: "corral-up")
        root = URL(fileURLWithPath: scratch.path).standardizedFileURL.path
        output = scratch.path + "/up.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.executableURL = URL(fileURLWithPath: try CorralBinary.locate())
        // `--exit-with-parent`: a test run that crashes leaves no cluster behind.
        process.arguments =
            ["up", "--data-dir", root + "/data", "--raft-port", "0", "--http-port", "0", "--exit-with-parent", "--parent-pid", "\(getpid())"]
            + arguments
        // The demo imports busybox into the state root: this test's own, not the machine's.
        process.environment = ProcessInfo.processInfo.environment.merging(["CORRAL_ROOT": root + "/state"]) { $1 }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithoutInheritedFiles()
    }

    /// Kills `corral up` and every process under the scratch directory, then removes it.
    func cleanUp() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for pid in Self.processes(matching: root) { kill(pid, SIGKILL) }
        scratch.remove()
    }

    /// Everything `corral up` printed so far.
    var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    /// The lines it printed that start with `prefix`.
    func lines(_ prefix: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    /// The masters' HTTP addresses, from "started N masters (http A,B,C) …".
    var endpoints: String? {
        lines("started ").first?.split(separator: "(http ").dropFirst().first?.split(separator: ")").first.map(String.init)
    }

    /// The master that leads, from the last "leader: master N in term T" line.
    var leader: String? { lines("leader: master").last?.split(separator: " ").dropFirst(2).first.map(String.init) }

    /// The pids of this cluster's master `id`.
    func masterPIDs(_ id: String) -> [Int32] {
        let ours = Set(Self.processes(matching: root))
        return Self.processes(matching: "master --node-id \(id) ").filter(ours.contains)
    }

    /// The pids of this cluster's processes whose command line contains `text`.
    func pids(matching text: String) -> [Int32] {
        let ours = Set(Self.processes(matching: root))
        return Self.processes(matching: text).filter(ours.contains)
    }

    /// The milliseconds of every "after N ms without a leader" (or "after N s …") it printed.
    var leaderlessMilliseconds: [Int] {
        lines("leader: master").compactMap { line in
            guard let range = line.range(of: " after ") else { return nil }
            let words = line[range.upperBound...].split(separator: " ")
            guard words.count >= 2, let value = Int(words[0]) else { return nil }
            return words[1] == "s" ? value * 1_000 : value
        }
    }

    /// The directory of process `pid`'s memory cgroup (cgroups v1), if it has one besides the root.
    static func memoryCgroup(_ pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2).map(String.init)
            guard fields.count == 3, fields[1].split(separator: ",").contains("memory"), fields[2] != "/" else { continue }
            return "/sys/fs/cgroup/memory" + fields[2]
        }
        return nil
    }

    /// The mount points (of this mount namespace) under `directory`.
    static func mounts(under directory: String) -> [String] {
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[4].hasPrefix(directory) else { return nil }
            return String(fields[4])
        }
    }

    static func processes(matching text: String) -> [Int32] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return all.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let command = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return command.contains(text)
        }
    }
}
