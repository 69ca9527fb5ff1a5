import Foundation
import Synchronization

/// Runs the network tools the namespace mode needs (`ip`, `iptables-restore`) and says which
/// command failed and what it printed.
enum NetTool {
    /// Where Debian puts `ip` and the iptables tools.
    static let folders = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]

    /// The full path of tool `name`, or nil when it is not installed.
    static func path(_ name: String) -> String? {
        folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `name arguments` (with `input` on its stdin) and returns its stdout; throws when it
    /// is missing or exits non-zero.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], input: String? = nil) throws(HarnessFailure) -> String {
        guard let tool = path(name) else {
            throw HarnessFailure("\(name) is not installed (Debian: apt-get install -y iptables iproute2)")
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
        let command = ([name] + arguments).joined(separator: " ")
        do {
            try process.run()
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try stdin.fileHandleForWriting.close()
        } catch {
            throw HarnessFailure("\(command): cannot run it: \(error)")
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
        let said = errorText.withLock { $0 }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw HarnessFailure(
                "\(command) failed (status \(process.terminationStatus)): \(said.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return printed
    }
}
