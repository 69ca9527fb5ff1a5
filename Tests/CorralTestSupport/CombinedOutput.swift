import CorralContainer
import Foundation

/// Runs a program to its end with stdout and stderr in one pipe, as a person at a terminal
/// sees them: for tests of command-line output.
public enum CombinedOutput {
    /// How it ended and everything it printed.
    public struct Run: Sendable {
        public var status: Int32
        public var output: String

        public init(status: Int32, output: String) {
            self.status = status
            self.output = output
        }
    }

    /// Runs `path arguments`, with `environment` added to this process's (or replacing it
    /// when `inherit` is false), in `directory` if given.
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], inherit: Bool = true, directory: String? = nil
    ) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty || !inherit {
            process.environment = (inherit ? ProcessInfo.processInfo.environment : [:]).merging(environment) { _, new in new }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.runWithoutInheritedFiles()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Runs the built `corral` with `arguments`.
    public static func corral(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try run(try CorralBinary.locate(), arguments, environment: environment)
    }
}
