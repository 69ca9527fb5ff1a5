import CorralContainer
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The run's `corral agent` processes: agent N in its own network namespace (entered with
/// `nsenter --net`, so it shares the harness's mounts and its runtime tmpfs outlives a
/// SIGKILL), or on 127.0.0.(50+N) in the loopback fallback. Its work directory is
/// `<report>/agents/agent-N`, its log `<report>/agent-N.log`; every process is adopted by
/// `ChildReaper.shared`, and `stopAll` also stops the containers the agents left.
public final class ChaosAgents: Sendable {
    public let count: Int
    public let binary: String
    public let directory: String
    public let network: ClusterNetwork
    /// The masters' HTTP addresses.
    public let masters: [String]
    /// What every agent offers: room for ten 0.1-cpu, 16 MB tasks.
    public static let resources = "cpus:1;mem:256;disk:1000;ports:[31000-32000]"
    /// Variables every agent gets besides the harness's own (failpoints, deliberate breaks).
    public let environment: [String: String]
    private let children = ChildProcesses<Int>()

    public init(count: Int, binary: String, directory: String, network: ClusterNetwork, masters: [String], environment: [String: String] = [:]) {
        self.environment = environment
        self.count = count
        self.binary = binary
        self.directory = directory
        self.network = network
        self.masters = masters
    }

    public var ids: [Int] { count > 0 ? Array(1...count) : [] }
    public func workDirectory(_ id: Int) -> String { "\(directory)/agents/agent-\(id)" }
    public func logPath(_ id: Int) -> String { "\(directory)/agent-\(id).log" }
    /// Where agent `id` keeps its containers' state (`--runtime-dir`; the agent mounts a tmpfs
    /// there): beside its work directory rather than in it, so that a full work disk (an agent
    /// `disk-full` fault, itself a tmpfs) leaves it on a file system of its own, as on a machine.
    public func runtimeDirectory(_ id: Int) -> String { "\(directory)/agents/runtime-\(id)" }
    public func hostname(_ id: Int) -> String { "chaos-agent-\(id)" }
    public var imageRoot: String { "\(directory)/agents/images" }
    private func node(_ id: Int) -> UInt64 { Scenario.agentNodeBase + UInt64(id) }

    /// The teardown name under which Ctrl-C stops the agents' containers.
    private var teardown: String { "agents \(directory)" }

    /// Starts agent `id` (again, after a kill: it recovers from its work directory).
    public func start(_ id: Int) throws(HarnessFailure) {
        let host = network.host(of: node(id))
        let listen = network.namespaces == nil ? "\(host):0" : "\(host):5051"
        let arguments = [
            "agent", "--masters", masters.joined(separator: ","), "--work-dir", workDirectory(id), "--runtime-dir", runtimeDirectory(id), "--resources", Self.resources,
            "--hostname", hostname(id), "--http-listen", listen, "--image-root", imageRoot, "--log-level", "info",
            "--exit-with-parent", "--parent-pid", "\(getpid())",
        ]
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let namespaces = network.namespaces {
            guard let nsenter = NetTool.path("nsenter") else {
                throw HarnessFailure("nsenter is not installed (Debian: apt-get install -y util-linux)")
            }
            process.executableURL = URL(fileURLWithPath: nsenter)
            process.arguments = ["--net=/run/netns/\(namespaces.namespace(of: node(id)))", "--", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        do {
            try FileManager.default.createDirectory(atPath: workDirectory(id), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: imageRoot, withIntermediateDirectories: true)
        } catch {
            throw HarnessFailure("cannot start agent \(id) (\(binary)): \(error)")
        }
        try children.start(id, process, log: logPath(id), what: "agent \(id) (\(binary))")
        let runtimes = ids.map(runtimeDirectory)
        ChildReaper.shared.onTeardown(teardown) {
            for runtime in runtimes {
                for problem in RuntimeDirectory.stopContainers(in: runtime, grace: .zero) {
                    FileHandle.standardError.write(Data("cleanup: \(runtime): \(problem)\n".utf8))
                }
            }
        }
    }

    /// Agents started and not killed.
    public var running: [Int] { children.running }

    /// Whether agent `id`'s process runs (it may have exited on its own).
    public func isAlive(_ id: Int) -> Bool { children.isAlive(id) }

    /// Sends `signal`; for SIGKILL or SIGTERM waits for the exit (SIGKILL after 10 s).
    public func signal(_ id: Int, _ signal: Int32) { children.signal(id, signal) }

    /// Kills every agent, then stops the containers they left and unmounts their runtime
    /// directories; returns what could not be cleaned up.
    @discardableResult
    public func stopAll() -> [String] {
        for id in running { signal(id, SIGKILL) }
        var problems: [String] = []
        for id in ids where FileManager.default.fileExists(atPath: runtimeDirectory(id)) {
            problems += RuntimeDirectory.stopContainers(
                in: runtimeDirectory(id), grace: .zero
            ).map { "agent \(id): \($0)" }
        }
        ChildReaper.shared.forget(teardown)
        return problems
    }

    /// The status updates each agent's log says a master committed.
    public func committedUpdates() -> [CommittedUpdate] {
        ids.flatMap { id in
            CommittedUpdate.parse(log: (try? String(contentsOfFile: logPath(id), encoding: .utf8)) ?? "", agent: id)
        }
    }

    /// How many times each task ran on each agent: the lines of the `ran` file its command
    /// appends to in its sandbox (`<work>/sandboxes/<framework>/<task>/ran`).
    public func taskRuns() -> [TaskRun] {
        var runs: [TaskRun] = []
        let manager = FileManager.default
        for id in ids {
            let sandboxes = "\(workDirectory(id))/sandboxes"
            for framework in (try? manager.contentsOfDirectory(atPath: sandboxes)) ?? [] {
                for task in (try? manager.contentsOfDirectory(atPath: "\(sandboxes)/\(framework)")) ?? [] {
                    let ran = (try? String(contentsOfFile: "\(sandboxes)/\(framework)/\(task)/ran", encoding: .utf8)) ?? ""
                    runs.append(TaskRun(agent: id, framework: framework, task: task, runs: ran.split(separator: "\n").count))
                }
            }
        }
        return runs
    }
}

/// One task's sandbox on one agent, and how many times its command started there.
public struct TaskRun: Sendable, Hashable, Codable {
    public var agent: Int
    public var framework: String
    public var task: String
    public var runs: Int

    public init(agent: Int, framework: String, task: String, runs: Int) {
        self.agent = agent
        self.framework = framework
        self.task = task
        self.runs = runs
    }
}
