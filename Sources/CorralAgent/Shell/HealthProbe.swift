import CorralContainer
import CorralModel
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs one health check of a task, as Mesos's checker does: a COMMAND check runs in the
/// task's namespaces (through `nsenter` on its container's init) and passes on exit 0; an HTTP
/// check GETs `http://127.0.0.1:PORT/PATH` and passes on 200–399; a TCP check passes when a
/// connection to 127.0.0.1:PORT opens. Tasks share the host's network, so the loopback address
/// reaches them. Blocking: call it off the cooperative pool.
enum HealthProbe {
    /// Whether the check passed, and why not.
    static func run(_ check: HealthCheck, pid: UInt32?) -> (healthy: Bool, message: String) {
        let timeout = check.timeoutSeconds ?? 20
        switch check.type?.uppercased() {
        case "COMMAND":
            guard let command = check.command?.value else { return (false, "the COMMAND check has no command") }
            return runCommand(command, pid: pid, timeout: timeout)
        case "HTTP":
            guard let endpoint = check.http else { return (false, "the HTTP check has no port") }
            return get(endpoint, timeout: timeout)
        case "TCP":
            guard let endpoint = check.tcp else { return (false, "the TCP check has no port") }
            return connect(port: endpoint.port)
        default:
            return (false, "health check type \(check.type ?? "none") is not supported (COMMAND, HTTP or TCP)")
        }
    }

    private static func runCommand(_ command: String, pid: UInt32?, timeout: Double) -> (healthy: Bool, message: String) {
        let process = Process()
        if let pid, pid > 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
            process.arguments = ["--target", "\(pid)", "--mount", "--uts", "--ipc", "--net", "--pid", "--", "/bin/sh", "-c", command]
        } else {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.runWithoutInheritedFiles() } catch { return (false, "cannot run the check: \(error)") }
        // On the monotonic clock: a wall clock that jumps must not end or stretch the check.
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int64(timeout * 1000)))
        while process.isRunning && clock.now < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return (false, "the check command did not finish within \(timeout) s")
        }
        let status = process.terminationStatus
        return status == 0 ? (true, "") : (false, "the check command exited with status \(status)")
    }

    private static func get(_ endpoint: HealthCheck.Endpoint, timeout: Double) -> (healthy: Bool, message: String) {
        let path = endpoint.path.map { $0.hasPrefix("/") ? $0 : "/" + $0 } ?? "/"
        guard let url = URL(string: "\(endpoint.scheme ?? "http")://127.0.0.1:\(endpoint.port)\(path)") else {
            return (false, "not a valid URL for port \(endpoint.port) and path \(path)")
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let done = DispatchSemaphore(value: 0)
        let answer = AnswerBox()
        URLSession.shared.dataTask(with: request) { _, response, error in
            if let error {
                answer.set((false, "GET \(url) failed: \(error.localizedDescription)"))
            } else if let status = (response as? HTTPURLResponse)?.statusCode {
                answer.set((200..<400).contains(status) ? (true, "") : (false, "GET \(url) answered \(status)"))
            } else {
                answer.set((false, "GET \(url) gave no HTTP answer"))
            }
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + timeout + 1) == .success else { return (false, "GET \(url) timed out") }
        return answer.get() ?? (false, "GET \(url) gave no answer")
    }

    private static func connect(port: UInt32) -> (healthy: Bool, message: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return (false, "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0 ? (true, "") : (false, "connecting to 127.0.0.1:\(port) failed: \(String(cString: strerror(errno)))")
    }

    /// The answer of a download, set from URLSession's queue.
    private final class AnswerBox: @unchecked Sendable {
        // @unchecked: guarded by `lock`.
        private let lock = NSLock()
        private var value: (Bool, String)?
        func set(_ answer: (Bool, String)) { lock.withLock { value = answer } }
        func get() -> (healthy: Bool, message: String)? { lock.withLock { value.map { (healthy: $0.0, message: $0.1) } } }
    }
}
