import CCorralLauncher
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A page left open in headless Chromium, driven over the DevTools protocol on
/// `--remote-debugging-pipe` (commands to the browser's fd 3, answers from its fd 4, each
/// message ending in a NUL byte): the test evaluates JavaScript in the page while the page
/// runs in real time. Same profile and network limits as `HeadlessChromium`; `close()` kills
/// the browser and removes its profile.
public final class ChromiumSession {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let pid: pid_t
    private let commands: Int32
    private let answers: Int32
    private let directory: String
    private var buffer: [UInt8] = []
    private var nextID = 1
    private var session: String?

    /// Starts the browser on `url` (with `arguments` added, e.g. `--window-size=1400,900`)
    /// and attaches to its page.
    public init(_ browser: HeadlessChromium, url: String, arguments extra: [String] = []) throws {
        var template = Array("\(browser.scratch)/chromium-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed: errno \(errno)") }
        directory = String(cString: made)
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure(description: "pipe failed: errno \(errno)") }
        // Only the copies on fds 3 and 4 reach the browser.
        for fd in toBrowser + fromBrowser { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "\(directory)/stderr", O_WRONLY | O_CREAT, 0o644)
        // And nothing else: this process's sockets (SwiftNIO opens them without close-on-exec)
        // would stay open in the browser for its whole life, and their peers wait on them.
        corral_spawn_actions_close_from(&actions, 5)
        let arguments = [browser.binary] + browser.commonArguments(profile: "\(directory)/profile") + extra + ["--remote-debugging-pipe", url]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, browser.binary, &actions, nil, argv, envp)
        Glibc.close(toBrowser[0])
        Glibc.close(fromBrowser[1])
        commands = toBrowser[1]
        answers = fromBrowser[0]
        guard spawned == 0 else {
            Glibc.close(commands)
            Glibc.close(answers)
            throw Failure(description: "posix_spawn \(browser.binary) failed: \(spawned)")
        }
        pid = child
        do {
            let targets = try send("Target.getTargets")
            let pages = (targets["targetInfos"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "page" }
            guard let target = pages.first?["targetId"] as? String else { throw Failure(description: "no page target: \(targets)") }
            let attached = try send("Target.attachToTarget", ["targetId": target, "flatten": true])
            session = attached["sessionId"] as? String
        } catch {
            close()
            throw error
        }
    }

    /// The value of a JavaScript expression in the page (nil for undefined, or a failure).
    public func evaluate(_ expression: String) throws -> Any? {
        let answer = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        return (answer["result"] as? [String: Any])?["value"]
    }

    /// A PNG of the page as it is now, `width`×`height`, written to `path`.
    public func screenshot(to path: String, width: Int = 1400, height: Int = 900) throws {
        _ = try send("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
        let answer = try send("Page.captureScreenshot", ["format": "png"])
        guard let text = answer["data"] as? String, let png = Data(base64Encoded: text) else {
            throw Failure(description: "Page.captureScreenshot answered no PNG")
        }
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// Kills the browser and removes its profile.
    public func close() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        Glibc.close(commands)
        Glibc.close(answers)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Sends one command and waits (up to 30 s) for its answer's `result`.
    func send(_ method: String, _ parameters: [String: Any] = [:]) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        guard bytes.withUnsafeBytes({ write(commands, $0.baseAddress, $0.count) }) == bytes.count else {
            throw Failure(description: "writing \(method) to chromium failed: errno \(errno)")
        }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let end = buffer.firstIndex(of: 0) {
                let text = Data(buffer[..<end])
                buffer.removeSubrange(...end)
                guard let answer = try JSONSerialization.jsonObject(with: text) as? [String: Any], answer["id"] as? Int == id else { continue }
                if let error = answer["error"] { throw Failure(description: "\(method) failed: \(error)") }
                return answer["result"] as? [String: Any] ?? [:]
            }
            var ready = pollfd(fd: answers, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 1_000) >= 0 else { continue }
            guard ready.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { read(answers, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure(description: "chromium closed its DevTools pipe: \(stderrTail())") }
            buffer += chunk[..<count]
        }
        throw Failure(description: "no answer from chromium to \(method) within 30 s")
    }

    private func stderrTail() -> String {
        (try? String(contentsOfFile: "\(directory)/stderr", encoding: .utf8)).map { String($0.suffix(1500)) } ?? ""
    }
}
