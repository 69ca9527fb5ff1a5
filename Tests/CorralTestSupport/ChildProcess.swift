import CorralContainer
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a child process for a test and collects what it printed.
public enum ChildProcess {
    /// How a child ended and what it printed.
    public struct Outcome: Sendable {
        /// The complete lines it wrote to stdout (a line torn by a kill is left out).
        public var lines: [String]
        /// Its exit status, or the signal that ended it when `signaled`.
        public var status: Int32
        public var signaled: Bool
        public var stderr: String

        /// The end of its output, for failure messages.
        public var summary: String {
            let end = signaled ? "killed by signal \(status)" : "exit status \(status)"
            return "\(end); stdout \(lines.suffix(4)); stderr \(stderr.suffix(600))"
        }
    }

    /// Runs `binary` with `arguments` to its end or, when `killWhenPrinted` is given, until it
    /// prints that line, then kills it with SIGKILL. Its stderr goes to a fresh file under
    /// `scratch`. The child is killed if anything here throws.
    public static func run(
        _ binary: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        killWhenPrinted marker: String? = nil,
        scratch: String
    ) throws -> Outcome {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: binary)
        child.arguments = arguments
        if let environment { child.environment = environment }
        let stdout = Pipe()
        let stderrPath = scratch + "/stderr-" + ProcessInfo.processInfo.globallyUniqueString
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: stderrPath) }
        child.standardOutput = stdout
        child.standardError = FileHandle(forWritingAtPath: stderrPath)
        try child.runWithoutInheritedFiles()
        defer {
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
            child.waitUntilExit()
        }
        var output = Data()
        while true {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output.append(chunk)
            if let marker, completeLines(output).contains(marker) {
                kill(child.processIdentifier, SIGKILL)
                output.append(stdout.fileHandleForReading.readDataToEndOfFile())
                break
            }
        }
        child.waitUntilExit()
        return Outcome(
            lines: completeLines(output),
            status: child.terminationStatus,
            signaled: child.terminationReason == .uncaughtSignal,
            stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        )
    }

    private static func completeLines(_ data: Data) -> [String] {
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()
        return lines.map(String.init)
    }
}
