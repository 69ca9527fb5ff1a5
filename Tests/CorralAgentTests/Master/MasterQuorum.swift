import CorralContainer
import CorralScheduler
import CorralTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Real `corral master` processes on loopback for the link's tests: free ports, a unique
/// directory, `--exit-with-parent` so none outlives the test run, and `stopAll()` (from the
/// test's `defer`) that kills them and removes the directory.
final class MasterQuorum: @unchecked Sendable {
    // @unchecked: used from one test task at a time.
    struct Ports { var raft: Int; var http: Int }

    let binary: String
    let root: String
    let clusterID = "agent-link-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    private(set) var ports: [UInt64: Ports] = [:]
    private var processes: [UInt64: Process] = [:]
    /// `corral agent` processes by name.
    var agents: [String: Process] = [:]
    private let client = HTTPStreamClient(connectTimeout: .seconds(1), readTimeout: .seconds(2))

    /// Extra master settings as TOML (e.g. a `[scheduling]` table), given to every master.
    let settings: String?

    /// With `binary`, the masters and agents run it instead of the built `corral` (a wrapper
    /// that enters a test's network namespace).
    init(masters: Int, settings: String? = nil, binary: String? = nil) throws {
        self.settings = settings
        self.binary = try binary ?? CorralBinary.locate()
        var template = Array("/tmp/corral-agent-link-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw QuorumFailure("mkdtemp failed") }
        root = String(cString: made)
        for id in 1...UInt64(masters) { ports[id] = Ports(raft: try LoopbackPort.free(), http: try LoopbackPort.free()) }
    }

    /// The HTTP address of master `id`.
    func address(_ id: UInt64) -> MasterAddress {
        MasterAddress("127.0.0.1:\(ports[id]?.http ?? 0)") ?? MasterAddress("127.0.0.1:1")!
    }

    /// Starts every master as a founding member, then waits until each answers `/health`
    /// (unless `waitForHealth` is false: masters in another network namespace).
    func startAll(waitForHealth: Bool = true) async throws {
        if let settings { try settings.write(toFile: "\(root)/master.toml", atomically: true, encoding: .utf8) }
        let peers = ports.keys.sorted().compactMap { id in
            ports[id].map { "--peer=\(id)=127.0.0.1:\($0.raft),127.0.0.1:\($0.http)" }
        }
        for (id, mine) in ports.sorted(by: { $0.key < $1.key }) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "master", "--node-id", "\(id)", "--cluster-id", clusterID, "--data-dir", "\(root)/master-\(id)",
                "--raft-listen", "127.0.0.1:\(mine.raft)", "--http-listen", "127.0.0.1:\(mine.http)",
                "--log-level", "notice", "--exit-with-parent", "--parent-pid", "\(getpid())", "--bootstrap",
            ] + peers + (settings == nil ? [] : ["--config", "\(root)/master.toml"])
            let log = "\(root)/master-\(id).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.runWithoutInheritedFiles()
            processes[id] = process
        }
        for id in ports.keys.sorted() where waitForHealth {
            try await waitUntil("master \(id) answers /health", seconds: 20) {
                guard self.processes[id]?.isRunning ?? false else { throw QuorumFailure("master \(id) exited: \(self.log(id))") }
                let request = HTTPStreamRequest(method: .GET, path: "/health")
                let address = self.address(id)
                return (try? await self.client.execute(request, host: address.host, port: address.port))?.status.code == 200
            }
        }
    }

    /// The leader every running master names in `GET /master/redirect`.
    func leader(seconds: Double = 20) async throws -> UInt64 {
        var found: UInt64 = 0
        try await waitUntil("a leader all running masters agree on", seconds: seconds) {
            var named: Set<UInt64> = []
            for id in self.processes.keys {
                let address = self.address(id)
                let request = HTTPStreamRequest(method: .GET, path: "/master/redirect")
                guard let response = try? await self.client.execute(request, host: address.host, port: address.port),
                    response.status.code == 307,
                    let target = response.headers.first(name: "Location").flatMap(MasterAddress.init(location:)),
                    let leader = self.ports.first(where: { $0.value.http == target.port })?.key
                else { return false }
                named.insert(leader)
            }
            guard named.count == 1, let leader = named.first, self.processes[leader] != nil else { return false }
            found = leader
            return true
        }
        return found
    }

    /// SIGKILLs master `id` and waits for it to die.
    func kill(_ id: UInt64) {
        guard let process = processes.removeValue(forKey: id) else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends `signal` (SIGSTOP, SIGCONT) to master `id`.
    func signal(_ id: UInt64, _ signal: Int32) {
        guard let process = processes[id] else { return }
        ProcessSignal.send(signal, to: process.processIdentifier)
    }

    func stopAll() {
        for process in processes.values { Glibc.kill(process.processIdentifier, SIGCONT) }
        for id in Array(processes.keys) { kill(id) }
        for name in Array(agents.keys) { killAgent(name) }
        for directory in agentWorkDirectories { AgentChild.stopContainers(workDirectory: directory) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The tail of every master's log, for a failure message.
    func logs() -> String {
        ports.keys.sorted().map { "--- master \($0):\n\(log($0))" }.joined(separator: "\n")
            + agentWorkDirectories.map { "\n--- agent \($0):\n\(tail("\($0).log"))" }.joined()
    }

    /// The last 2,000 characters of a file.
    func tail(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
    }

    private func log(_ id: UInt64) -> String {
        (try? String(contentsOfFile: "\(root)/master-\(id).log", encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
    }

    /// Polls `condition` until it holds (checking once more after the deadline); throws with
    /// the masters' logs once `seconds` have passed.
    func waitUntil(_ what: String, seconds: Double, _ condition: () async throws -> Bool) async throws {
        do {
            try await eventually(what, seconds: seconds, condition)
        } catch let timedOut as TimedOut {
            throw QuorumFailure("\(timedOut)\n\(logs())")
        }
    }

}

struct QuorumFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
