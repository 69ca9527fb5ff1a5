import Foundation
import Synchronization

/// Runs the network tools bridge networking uses (`ip`, `iptables`, `nsenter`) and says
/// which command failed and what it printed.
public enum NetworkTool {
    /// Where Debian puts `ip`, the iptables tools and `nsenter`.
    static let folders = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]

    /// The full path of tool `name`, or nil when it is not installed.
    public static func path(_ name: String) -> String? {
        folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// What a command printed and how it ended.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    /// Runs `name arguments` (with `input` on its stdin) and returns its output; throws
    /// when it is missing or exits non-zero.
    @discardableResult
    public static func run(_ name: String, _ arguments: [String], input: String? = nil) throws -> String {
        let outcome = try attempt(name, arguments, input: input)
        guard outcome.status == 0 else {
            throw ContainerError(
                .network, stage: ([name] + arguments).joined(separator: " ") + " failed (status \(outcome.status))",
                cause: outcome.errors.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return outcome.output
    }

    /// Runs `name arguments` and returns how it ended, whatever its status; throws only when
    /// it cannot be run.
    public static func attempt(_ name: String, _ arguments: [String], input: String? = nil) throws -> Outcome {
        guard let tool = path(name) else {
            throw ContainerError(
                .network, stage: "\(name) is not installed", cause: "on Debian: apt-get install -y iptables iproute2 util-linux")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        do {
            try process.runWithoutInheritedFiles()
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try stdin.fileHandleForWriting.close()
        } catch {
            throw ContainerError(.network, stage: "run \(name)", cause: "\(error)")
        }
        // Both pipes are drained at once: a tool that fills one while we wait on the other
        // would block forever.
        let errorText = Mutex("")
        let draining = DispatchGroup()
        DispatchQueue.global().async(group: draining) { [handle = errors.fileHandleForReading] in
            let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            errorText.withLock { $0 = text }
        }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        draining.wait()
        process.waitUntilExit()
        let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
        return Outcome(status: status, output: printed, errors: errorText.withLock { $0 })
    }
}
