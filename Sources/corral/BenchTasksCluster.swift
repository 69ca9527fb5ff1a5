import CorralContainer
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The throw-away cluster of `corral bench tasks`: masters (through `LocalQuorum`) and
/// `corral agent` processes on loopback, everything under one temporary directory, and a
/// teardown that leaves nothing behind — no process, container, mount, cgroup or file.
final class BenchTasksCluster {
    let directory: String
    let quorum: LocalQuorum
    let imageRoot: String
    private(set) var agents: [Process] = []
    private let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path

    /// Lays out `directory` (which must not exist yet) for `masters` masters; nothing starts yet.
    init(directory: String, masters: Int, masterConfig: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        self.directory = directory
        imageRoot = "\(directory)/images"
        let configFile = "\(directory)/master.toml"
        try masterConfig.write(toFile: configFile, atomically: true, encoding: .utf8)
        let base = LocalQuorum.freePortBase(count: 2 * masters)
        quorum = LocalQuorum(
            count: masters, raftPort: base, httpPort: base + masters, dataDirectory: "\(directory)/masters",
            clusterID: "bench-tasks-\(getpid())", extraArguments: ["--config", configFile])
    }

    /// The work dir of agent `index`.
    func workDirectory(_ index: Int) -> String { "\(directory)/agent-\(index)" }

    /// Imports `image` into the cluster's image store unless it is there: `busybox` is built
    /// from the host's `/bin/busybox`; any other name must already be in the store.
    func ensureImage(_ image: String) throws {
        let store = try ImageStore(root: imageRoot)
        if (try? store.lowerDirectories(forImage: image)) != nil { return }
        guard image == "busybox" else {
            throw BenchTasksError(
                "image '\(image)' is not in \(imageRoot), and only busybox can be made here; use --image busybox")
        }
        let rootfs = "\(directory)/busybox-rootfs"
        try BusyboxRootfs.build(at: rootfs)
        _ = try store.importRootfs(name: image, directory: rootfs)
        try FileManager.default.removeItem(atPath: rootfs)
    }

    /// Starts the masters and waits for a leader.
    func startMasters() throws {
        try quorum.startAll(logLevel: "warning")
        guard quorum.waitForLeader(seconds: 30) != nil else {
            throw BenchTasksError("the masters elected no leader within 30 s; see the logs in \(quorum.dataDirectory)")
        }
    }

    /// Starts agent `index` offering `resources`; its output goes to `<dir>/agent-<index>.log`.
    func startAgent(_ index: Int, resources: String) throws {
        let log = "\(directory)/agent-\(index).log"
        try? FileManager.default.removeItem(atPath: log)
        let process = try LocalAgent.start(
            executable: executable, masters: quorum.httpEndpoints, workDirectory: workDirectory(index),
            hostname: "bench-agent-\(index)", log: log, logLevel: "warning",
            extraArguments: ["--resources", resources, "--image-root", imageRoot])
        agents.append(process)
    }

    /// Whether every agent still runs; the first one that exited is named with its log's tail.
    func checkAgents() throws {
        for (index, agent) in agents.enumerated() where !agent.isRunning {
            let log = (try? String(contentsOfFile: "\(directory)/agent-\(index).log", encoding: .utf8)) ?? ""
            throw BenchTasksError("agent \(index) exited with status \(agent.terminationStatus):\n\(log.suffix(2000))")
        }
    }

    /// Stops the agents, then every container they left (containers outlive their agent on
    /// purpose), then the masters; removes the directory unless `keep`. Returns what could
    /// not be cleaned up, for the operator to see.
    func tearDown(keep: Bool) -> [String] {
        var problems: [String] = []
        for agent in agents where agent.isRunning { kill(agent.processIdentifier, SIGKILL) }
        for agent in agents { agent.waitUntilExit() }
        agents = []
        for index in 0..<Int.max {
            let work = workDirectory(index)
            guard FileManager.default.fileExists(atPath: work) else { break }
            problems += RuntimeDirectory.stopContainers(in: RuntimeDirectory.defaultPath(workDirectory: work), grace: .zero)
        }
        quorum.stopAll()
        problems += MountTable.detachAll(under: directory)
        if keep {
            say("kept \(directory) (logs, work dirs, image store)")
        } else if MountTable.points(under: directory).isEmpty {
            do { try FileManager.default.removeItem(atPath: directory) } catch {
                problems.append("remove \(directory): \(error)")
            }
        } else {
            problems.append("\(directory) still has mounts; not removed")
        }
        return problems
    }
}

/// What went wrong in `corral bench tasks`, as a sentence.
struct BenchTasksError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
