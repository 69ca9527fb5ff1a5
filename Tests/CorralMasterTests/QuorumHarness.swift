import CorralContainer
import CorralMaster
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs real `corral master` processes on loopback for a test, with free ports and a
/// unique data directory; `stopAll()` (called from the test's `defer`) ends them all.
final class QuorumHarness: @unchecked Sendable {
    // @unchecked: used from one test task at a time.
    struct Ports { var raft: Int; var http: Int }

    let binary: String
    let root: String
    let clusterID = "test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    var ports: [UInt64: Ports] = [:]
    var processes: [UInt64: Process] = [:]
    var initial: [UInt64]
    var extraArguments: [String]
    var client = MasterClient(timeoutSeconds: 5)

    /// `config`, if given, is TOML every master reads with `--config` (kept in the harness's
    /// directory, so it goes with it).
    init(masters: Int, extraArguments: [String] = [], config: String? = nil) throws {
        binary = try Self.locateBinary()
        var template = Array("/tmp/corral-quorum-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        root = String(cString: made)
        initial = (1...UInt64(masters)).map { $0 }
        self.extraArguments = extraArguments
        if let config {
            let path = "\(root)/master.toml"
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            self.extraArguments += ["--config", path]
        }
        for id in initial { ports[id] = Ports(raft: try LoopbackPort.free(), http: try LoopbackPort.free()) }
    }

    func peerArguments(_ ids: [UInt64]) -> [String] {
        ids.compactMap { id in ports[id].map { "--peer=\(id)=127.0.0.1:\($0.raft),127.0.0.1:\($0.http)" } }
    }

    func endpoint(_ id: UInt64) -> String { "127.0.0.1:\(ports[id]?.http ?? 0)" }

    /// Starts master `id` (a fresh port pair if it is new) and waits until it answers HTTP.
    func start(_ id: UInt64, join: Bool = false, dataDirOf other: UInt64? = nil) throws {
        if ports[id] == nil { ports[id] = Ports(raft: try LoopbackPort.free(), http: try LoopbackPort.free()) }
        guard let mine = ports[id] else { return }
        var arguments = [
            "master", "--node-id", "\(id)", "--cluster-id", clusterID,
            "--data-dir", "\(root)/master-\(other ?? id)",
            "--raft-listen", "127.0.0.1:\(mine.raft)", "--http-listen", "127.0.0.1:\(mine.http)",
            "--log-level", ProcessInfo.processInfo.environment["CORRAL_TEST_LOG_LEVEL"] ?? "notice", "--exit-with-parent", "--parent-pid", "\(getpid())",
        ] + peerArguments(initial) + extraArguments
        if join {
            arguments.append("--join")
        } else if !FileManager.default.fileExists(atPath: "\(root)/master-\(other ?? id)") {
            arguments.append("--bootstrap")  // a founding member's first start
        }
        // A restart binds the ports it had; while it was down, another test's outgoing
        // connection may have been given one of them as its ephemeral port for a moment.
        for attempt in 1...5 {
            do {
                return try launch(id, arguments)
            } catch let error as HarnessError where attempt < 5 && error.description.contains("Address already in use") {
                usleep(500_000)
            }
        }
    }

    private func launch(_ id: UInt64, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let log = "\(root)/master-\(id).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithoutInheritedFiles()
        processes[id] = process
        try waitUntil("master \(id) answers /health", seconds: 20) {
            guard process.isRunning else { throw HarnessError("master \(id) exited: \(self.log(id))") }
            return (try? self.client.request("GET", self.endpoint(id), "/health"))?.status == 200
        }
    }

    func kill(_ id: UInt64, signal: Int32 = SIGKILL) {
        guard let process = processes.removeValue(forKey: id) else { return }
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// Pauses (SIGSTOP) or resumes (SIGCONT) a running master without losing track of it.
    func signal(_ id: UInt64, _ signal: Int32) {
        guard let process = processes[id] else { return }
        ProcessSignal.send(signal, to: process.processIdentifier)
    }

    func stopAll() {
        for process in processes.values { Glibc.kill(process.processIdentifier, SIGCONT) }
        for id in Array(processes.keys) { kill(id, signal: SIGKILL) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The tail of every master's log, for a failure message.
    func logs() -> String {
        ports.keys.sorted().map { "--- master \($0):\n\(log($0))" }.joined(separator: "\n")
    }

    func log(_ id: UInt64) -> String {
        (try? String(contentsOfFile: "\(root)/master-\(id).log", encoding: .utf8)).map { String($0.suffix(3000)) } ?? ""
    }

    func status(_ id: UInt64) throws -> QuorumStatus {
        try client.json(QuorumStatus.self, "GET", endpoint(id), "/quorum/status")
    }

    /// Waits until the running masters agree on one leader; returns it.
    @discardableResult
    func leader(among ids: [UInt64]? = nil, seconds: Double = 20) throws -> UInt64 {
        let members = ids ?? Array(processes.keys)
        var found: UInt64 = 0
        try waitUntil("a leader among \(members.sorted())", seconds: seconds) {
            guard let leader = QuorumStatus.agreedLeader(members.compactMap { try? self.status($0) }, expected: members.count)
            else { return false }
            found = leader.raft.id
            return true
        }
        return found
    }

    func put(_ key: String, _ value: String, via id: UInt64) throws {
        let response = try client.request("PUT", endpoint(id), "/v1/kv/\(key)", body: Array(value.utf8))
        guard response.status == 204 else {
            throw HarnessError("PUT \(key) via \(id) answered \(response.status): \(response.text)")
        }
    }

    func get(_ key: String, via id: UInt64) throws -> String? {
        let response = try client.request("GET", endpoint(id), "/v1/kv/\(key)")
        if response.status == 404 { return nil }
        guard response.status == 200 else {
            throw HarnessError("GET \(key) via \(id) answered \(response.status): \(response.text)")
        }
        return response.text
    }

    func post(_ path: String, _ body: [String: Any], via id: UInt64) throws -> MasterClient.Response {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try client.request("POST", endpoint(id), path, body: Array(data))
    }

    /// Polls `condition` until it holds or the deadline passes, checking once more after it
    /// (then fails with `what`).
    func waitUntil(_ what: String, seconds: Double, _ condition: () throws -> Bool) throws {
        do {
            try eventuallyBlocking(what, seconds: seconds, condition)
        } catch let timedOut as TimedOut {
            throw HarnessError(timedOut.description)
        }
    }

    static func locateBinary() throws -> String { try CorralBinary.locate() }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
