import CorralContainer
import Foundation

/// `corral agent` child processes on loopback, started from this executable: `corral up` and
/// `corral bench tasks` use it.
enum LocalAgent {
    /// Starts an agent registering with `masters`; its output is appended to `log`.
    static func start(
        executable: String, masters: [String], workDirectory: String, hostname: String, log: String, logLevel: String,
        extraArguments: [String] = []
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "agent", "--masters", masters.joined(separator: ","), "--work-dir", workDirectory, "--hostname", hostname,
            "--http-listen", "127.0.0.1:0", "--log-level", logLevel, "--exit-with-parent", "--parent-pid", "\(getpid())",
        ] + extraArguments
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithoutInheritedFiles()
        return process
    }
}
