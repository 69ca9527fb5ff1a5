import CorralContainer
import CorralScheduler
import CorralSecurity
import CorralTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Real `corral master` processes serving HTTPS, and agents on them, for the secured-cluster
/// tests: a CA and certificates made with `corral certs` in a unique directory, free
/// loopback ports, `--exit-with-parent`, and `stopAll()` (from the test's `defer`) that kills
/// every process and removes the directory.
final class SecuredCluster: @unchecked Sendable {
    // @unchecked: used from one test task at a time.
    let binary: String
    let root: String
    let clusterID = "secured-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    private(set) var ports: [UInt64: (raft: Int, http: Int)] = [:]
    private var masters: [UInt64: Process] = [:]
    private var agents: [String: Process] = [:]
    /// Other `corral` processes started with `background`.
    private var others: [Process] = []
    /// Trusts the cluster's CA.
    let client: HTTPStreamClient

    /// The cluster's CA directory: `ca.pem` and every node's `<name>.pem`, `<name>-key.pem`.
    var certs: String { "\(root)/certs" }
    var caFile: String { "\(certs)/ca.pem" }

    /// Makes the CA and a certificate for 127.0.0.1 for each of `masters` masters
    /// (`master-<id>`) and for each of `agents`.
    init(masters count: Int, agents: [String] = []) throws {
        let binary = try CorralBinary.locate()
        var template = Array("/tmp/corral-secured-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw QuorumFailure("mkdtemp failed") }
        let root = String(cString: made)
        do {
            let certs = "\(root)/certs"
            try Self.corral(binary, root, ["certs", "init", "--dir", certs])
            for name in (1...count).map({ "master-\($0)" }) + agents {
                try Self.corral(binary, root, ["certs", "issue", "--dir", certs, name, "--host", "127.0.0.1"])
            }
            client = HTTPStreamClient(
                connectTimeout: .seconds(1), readTimeout: .seconds(3), tls: try TLSIdentity(files: TLSFiles(ca: "\(certs)/ca.pem")))
            for id in 1...UInt64(count) { ports[id] = (try LoopbackPort.free(), try LoopbackPort.free()) }
        } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
        self.binary = binary
        self.root = root
    }

    /// Runs the `corral` CLI to its end; throws when it fails.
    private static func corral(_ binary: String, _ root: String, _ arguments: [String]) throws {
        let outcome = try ChildProcess.run(binary, arguments, environment: ProcessInfo.processInfo.environment, scratch: root)
        guard outcome.status == 0, !outcome.signaled else { throw QuorumFailure("corral \(arguments.joined(separator: " ")): \(outcome.summary)") }
    }

    /// Runs the `corral` CLI to its end; throws when it fails.
    func corral(_ arguments: String...) throws { try Self.corral(binary, root, arguments) }

    /// Runs the `corral` CLI to its end.
    func run(_ arguments: [String]) throws -> ChildProcess.Outcome {
        try ChildProcess.run(binary, arguments, environment: ProcessInfo.processInfo.environment, scratch: root)
    }

    /// `https://127.0.0.1:PORT` of every master, comma-separated.
    var mastersURL: String { ports.keys.sorted().map { "https://127.0.0.1:\(ports[$0]!.http)" }.joined(separator: ",") }

    /// Starts every master as a founding member with its certificate (`--tls-cert`,
    /// `--tls-key`, `--tls-ca`) and waits until each answers `/health` over HTTPS.
    func startAll(extraArguments: [String] = []) async throws {
        let peers = ports.keys.sorted().map { id in "--peer=\(id)=127.0.0.1:\(ports[id]!.raft),127.0.0.1:\(ports[id]!.http)" }
        for (id, mine) in ports.sorted(by: { $0.key < $1.key }) {
            let files = TLSFiles.issued(directory: certs, name: "master-\(id)")
            masters[id] = try start(
                [
                    "master", "--node-id", "\(id)", "--cluster-id", clusterID, "--data-dir", "\(root)/master-\(id)",
                    "--raft-listen", "127.0.0.1:\(mine.raft)", "--http-listen", "127.0.0.1:\(mine.http)",
                    "--tls-cert", files.certificate!, "--tls-key", files.key!, "--tls-ca", files.ca!,
                    "--log-level", "notice", "--exit-with-parent", "--parent-pid", "\(getpid())", "--bootstrap",
                ] + peers + extraArguments, log: "\(root)/master-\(id).log")
        }
        for id in ports.keys.sorted() {
            try await waitUntil("master \(id) answers /health over HTTPS", seconds: 30) {
                guard self.masters[id]?.isRunning ?? false else { throw QuorumFailure("master \(id) exited:\n\(self.logs())") }
                return (try? await self.get("/health", port: self.ports[id]!.http))?.status.code == 200
            }
        }
    }

    /// Starts agent `name` against every master over HTTPS, serving HTTPS with its certificate.
    func startAgent(_ name: String, extraArguments: [String] = []) throws {
        let files = TLSFiles.issued(directory: certs, name: name)
        agents[name] = try AgentChild.start(
            binary: binary, masters: ports.keys.sorted().map { "https://127.0.0.1:\(ports[$0]!.http)" },
            workDirectory: "\(root)/agent-\(name)", hostname: "agent-\(name)", imageRoot: "\(root)/images",
            arguments: ["--tls-cert", files.certificate!, "--tls-key", files.key!, "--tls-ca", files.ca!] + extraArguments)
    }

    /// The HTTPS port agent `name` printed.
    func agentPort(_ name: String) -> Int? {
        let log = (try? String(contentsOfFile: "\(root)/agent-\(name).log", encoding: .utf8)) ?? ""
        guard let line = log.split(separator: "\n").last(where: { $0.contains("listening: https ") }),
            let address = line.split(separator: " ").first(where: { $0.hasPrefix("127.0.0.1:") }),
            let port = address.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .punctuationCharacters)) })
        else { return nil }
        return port
    }

    /// Starts `corral` with `arguments` in the background, its output in `<root>/<name>.log`
    /// (`stopAll()` kills it); returns the log's path.
    func background(_ arguments: [String], name: String) throws -> String {
        let log = "\(root)/\(name).log"
        others.append(try start(arguments, log: log))
        return log
    }

    /// `GET path` on `127.0.0.1:port` over HTTPS, trusting the cluster's CA.
    func get(_ path: String, port: Int) async throws -> HTTPBufferedResponse {
        try await client.execute(HTTPStreamRequest(path: path), host: "127.0.0.1", port: port)
    }

    func stopAll() {
        for process in Array(masters.values) + Array(agents.values) + others {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        for name in agents.keys { AgentChild.stopContainers(workDirectory: "\(root)/agent-\(name)") }
        masters = [:]
        agents = [:]
        others = []
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The tails of every master's and agent's log, for failure messages.
    func logs() -> String {
        let names = ports.keys.sorted().map { "master-\($0)" } + agents.keys.sorted().map { "agent-\($0)" }
        return names.map { name in
            let text = (try? String(contentsOfFile: "\(root)/\(name).log", encoding: .utf8)) ?? ""
            return "--- \(name):\n\(text.suffix(1500))"
        }.joined(separator: "\n")
    }

    /// Polls `condition` until it holds; throws with the logs once `seconds` have passed.
    func waitUntil(_ what: String, seconds: Double, _ condition: () async throws -> Bool) async throws {
        do {
            try await eventually(what, seconds: seconds, condition)
        } catch let timedOut as TimedOut {
            throw QuorumFailure("\(timedOut)\n\(logs())")
        }
    }

    private func start(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithoutInheritedFiles()
        return process
    }
}
