import CCorralLauncher
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// One container: launched from a spec, supervised until it exits, then cleaned up.
///
/// `start()` clones the task into its namespaces and cgroups; `wait()` pumps its
/// output into the log files, reaps it, reads the exit status and OOM evidence, and
/// removes the cgroups and overlay directories; `stop(grace:)` may run meanwhile.
public final class Container: Sendable {
    /// What was launched.
    public let spec: LaunchSpec
    /// Where its state lives.
    public let paths: ContainerPaths
    /// Output handling.
    public let logOptions: LogOptions
    /// Where the v1 cgroup hierarchies are mounted.
    public let cgroupMountRoot: String
    /// The bridge for `.bridge` networking; nil: the state root's standard one.
    public let bridge: BridgeNetwork?
    /// Whether the overlay's upper directory (what the task wrote) is left in place when the
    /// container ends, for its caller to read and remove (`corral image build`'s `RUN`).
    public let keepsUpperDirectory: Bool

    /// The lifecycle.
    private enum State: Sendable {
        case created
        case starting
        case running(Running)
        /// `wait()` is supervising it; `stop(grace:)` may still run.
        case supervised(Running)
        /// It has exited; its cgroups and directories are being removed.
        case cleaningUp
        case exited(ContainerExit)
        case failed(ContainerError)
    }

    private let state = Mutex<State>(.created)

    /// Prepares a container; nothing happens until `start()`.
    public init(
        spec: LaunchSpec,
        paths: ContainerPaths,
        logOptions: LogOptions = LogOptions(),
        cgroupMountRoot: String = "/sys/fs/cgroup",
        bridge: BridgeNetwork? = nil,
        keepsUpperDirectory: Bool = false
    ) {
        self.spec = spec
        self.paths = paths
        self.logOptions = logOptions
        self.cgroupMountRoot = cgroupMountRoot
        self.bridge = bridge
        self.keepsUpperDirectory = keepsUpperDirectory
    }

    /// Launches the task; returns the host pid of the container's init once it exec'd.
    public func start() throws -> pid_t {
        try state.withLock { state in
            guard case .created = state else { throw ContainerError.wrongState("start", expected: "created") }
            state = .starting
        }
        do {
            let running = try launch()
            state.withLock { $0 = .running(running) }
            return running.pid
        } catch let error as ContainerError {
            state.withLock { $0 = .failed(error) }
            throw error
        }
    }

    /// Supervises the running container until it exits, then cleans up.
    public func wait() throws -> ContainerExit {
        let running = try state.withLock { state -> Running in
            guard case .running(let running) = state else {
                throw ContainerError.wrongState("wait", expected: "running and not already waited for")
            }
            state = .supervised(running)
            return running
        }
        let waitStatus: Int32
        do {
            waitStatus = try supervise(running)
        } catch {
            // Cleanup always runs: kill whatever is left, then remove everything.
            state.withLock { $0 = .cleaningUp }
            try? running.cgroup.killAll()
            _ = try? ContainerSyscall.waitpid(running.pid)
            try? cleanUp(running)
            state.withLock { $0 = .failed(ContainerError(.supervise, stage: "wait", cause: "\(error)")) }
            throw error
        }
        // From here on the pidfd closes: `stop` must not use it any more.
        state.withLock { $0 = .cleaningUp }
        let stats = running.cgroup.stats()
        let status = ContainerExit.status(fromWait: waitStatus)
        let exit = ContainerExit(status: status, oomKilled: Container.isOOM(stats, status), stats: stats)
        do {
            try cleanUp(running)
        } catch let error as ContainerError {
            state.withLock { $0 = .failed(error) }
            throw error
        }
        state.withLock { $0 = .exited(exit) }
        return exit
    }

    /// `start()` then `wait()`.
    public func run() throws -> ContainerExit {
        _ = try start()
        return try wait()
    }

    /// Sends SIGTERM to the task; after `grace`, freezes the cgroup and SIGKILLs all of it.
    /// Returns once the container's init has exited (`wait()` still reaps and cleans up).
    /// Stopping a container that already exited does nothing.
    public func stop(grace: Duration) throws {
        let target = try state.withLock { state -> (pidfd: Int32, cgroup: Cgroup)? in
            switch state {
            case .running(let running), .supervised(let running):
                // dup under the lock: `wait()` closes the original only after leaving these states.
                return (dup(running.pidfd), running.cgroup)
            case .cleaningUp, .exited:
                return nil
            case .created, .starting, .failed:
                throw ContainerError.wrongState("stop", expected: "running")
            }
        }
        guard let (pidfd, cgroup) = target else { return }
        guard pidfd >= 0 else { throw ContainerError.system(.supervise, "dup(pidfd)", errno: errno) }
        defer { ContainerSyscall.close(pidfd) }
        try ContainerStopper.stop(pidfd: pidfd, cgroup: cgroup, grace: grace)
    }

    /// OOM: the OOM killer counted a kill, or the limit was hit and the task died of SIGKILL.
    static func isOOM(_ stats: CgroupStats, _ status: ContainerExit.Status) -> Bool {
        let killed = status == .signaled(SIGKILL) || status == .exited(128 + SIGKILL)
        return stats.oomKillCount > 0 || stats.underOOM || (stats.memoryFailCount > 0 && killed)
    }
}

/// How a container's output is kept.
public struct LogOptions: Sendable, Equatable {
    /// Cap of each log file before it is rotated to `<file>.1`.
    public var maxBytes: Int
    /// Also copy the output to this process's stdout/stderr (foreground runs).
    public var echo: Bool

    /// Makes options (10 MiB per file by default).
    public init(maxBytes: Int = 10 << 20, echo: Bool = false) {
        self.maxBytes = maxBytes
        self.echo = echo
    }
}

extension ContainerError {
    /// "failed to <operation>: container must be <expected>".
    static func wrongState(_ operation: String, expected: String) -> ContainerError {
        ContainerError(.state, stage: "failed to \(operation)", cause: "container must be \(expected)")
    }
}
