import CCorralLauncher
import CorralContainer
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One task whose container init the harness SIGKILLed (a `kill-init` fault).
public struct KilledInit: Sendable, Hashable, Codable {
    public var agent: Int
    public var task: String
    /// The init's host pid (pid 1 of the container's pid namespace).
    public var pid: Int32
    /// When, on the run's clock.
    public var nanos: UInt64

    public init(agent: Int, task: String, pid: Int32, nanos: UInt64) {
        self.agent = agent
        self.task = task
        self.pid = pid
        self.nanos = nanos
    }
}

/// The agents' task containers, read from their runtime state (`<runtime>/containers/<id>/
/// config.json`, written by each container's supervisor) without changing it.
extension ChaosAgents {
    /// The label the agent puts on a task's container (`TaskRunnerCore.taskLabel`).
    static let taskLabel = "corral.agent/task-id"

    /// Agent `id`'s task containers recorded as running whose init is alive: task and init.
    func runningContainers(_ id: Int) -> [(task: String, initProcess: ProcessIdentity)] {
        let store = ContainerStore(root: runtimeDirectory(id))
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "\(store.root)/containers")) ?? []
        return ids.sorted().compactMap { containerID in
            guard let record = try? store.load(id: containerID), let task = record.labels[Self.taskLabel],
                case .running(let initProcess, _) = record.state, initProcess.isAlive
            else { return nil }
            return (task, initProcess)
        }
    }

    /// The tasks whose containers run on agent `id`.
    func runningTasks(_ id: Int) -> [String] { runningContainers(id).map(\.task) }

    /// SIGKILLs the init of every task container running on agent `id`, through a pidfd
    /// checked against the recorded start time (so a recycled pid is never hit); returns the
    /// inits it killed. An init already on its way out (its task ended by itself) is left
    /// alone: a SIGKILL no longer changes how it ends.
    func killInits(_ id: Int, clock: @Sendable () -> UInt64) -> [KilledInit] {
        var killed: [KilledInit] = []
        for (task, initProcess) in runningContainers(id) {
            let pidfd = corral_pidfd_open(initProcess.pid)
            guard pidfd >= 0 else { continue }
            defer { close(pidfd) }
            guard initProcess.isAlive, !Self.isExiting(initProcess.pid), corral_pidfd_send_signal(pidfd, SIGKILL) == 0 else { continue }
            killed.append(KilledInit(agent: id, task: task, pid: initProcess.pid, nanos: clock()))
        }
        return killed
    }

    /// Whether process `pid` has begun to exit (PF_EXITING in the flags of `/proc/<pid>/stat`).
    static func isExiting(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return true
        }
        // After the command: state is field 3, flags field 9.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 6, let flags = UInt64(fields[6]) else { return true }
        return flags & 0x4 != 0
    }
}
