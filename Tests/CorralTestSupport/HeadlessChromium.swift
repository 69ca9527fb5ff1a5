import CorralContainer
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's `chromium` run headless for a test: a page's DOM after some page time
/// (`--dump-dom` with a virtual time budget); `ChromiumSession` keeps a page open. Each run gets its own
/// profile directory (removed after), is killed if it outlives its time limit, and is kept
/// off the network: no background services, and every host, name or address, other than
/// `localhost` and `127.0.0.1` fails to resolve (the resolver rules cover address literals
/// too), so only loopback is reached.
public struct HeadlessChromium: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The browser's path.
    public let binary: String
    /// Where profile directories and output go.
    public let scratch: String

    /// A browser using `scratch`, or nil when no chromium is installed (`make deps` installs it).
    public init?(scratch: String) {
        let candidates = ["/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        binary = found
        self.scratch = scratch
    }

    /// The page's DOM after it ran for `virtualMilliseconds` of page time (timers run ahead
    /// of the clock; time stands still while a fetch waits for its answer).
    public func dumpDOM(_ url: String, virtualMilliseconds: Int = 5_000, timeoutSeconds: Double = 60) throws -> String {
        try run(["--virtual-time-budget=\(virtualMilliseconds)", "--dump-dom", url], timeoutSeconds: timeoutSeconds)
    }

    /// Headless, its own profile, no background services, no host but loopback.
    public func commonArguments(profile: String) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--disable-breakpad", "--disable-domain-reliability",
            "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
            "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
        ]
    }

    /// Runs the browser with `arguments` after the common ones, and returns what it printed.
    public func run(_ arguments: [String], timeoutSeconds: Double) throws -> String {
        var template = Array("\(scratch)/chromium-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp under \(scratch) failed: errno \(errno)") }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = commonArguments(profile: "\(directory)/profile") + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory
        process.environment = environment
        let output = "\(directory)/stdout"
        let errors = "\(directory)/stderr"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: errors)
        try process.runWithoutInheritedFiles()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let said = (try? String(contentsOfFile: errors, encoding: .utf8)).map { String($0.suffix(1500)) } ?? ""
            throw Failure(description: "chromium did not finish within \(timeoutSeconds) s: \(said)")
        }
        process.waitUntilExit()
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }
}
