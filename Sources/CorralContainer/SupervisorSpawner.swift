import CCorralLauncher
import Foundation
import Synchronization

/// Starts detached container supervisors by forking them from a warm helper process
/// (`corral container spawner`) instead of exec'ing `corral container supervise` for each
/// container: the exec, dynamic linking and Swift start-up of a large binary cost more CPU
/// than the container launch itself.
///
/// What a supervisor is does not change: a process in its own session, re-parented away
/// from the helper and from whoever asked, that starts the recorded container, reports "ok"
/// or the launch error, and keeps the record current until the container exits. So
/// containers outlive both the caller and the helper; the helper exits when the caller's end
/// of its socket closes (the caller exited or dropped the spawner).
///
/// The helper is started on first use. A request the helper never received (it is gone)
/// starts a new helper once, then falls back to `DetachedSupervisor`; a request it received
/// is never sent again, so a container is never started twice. A helper that cannot fork
/// safely at that moment (see `serve`) answers so, and that one container is exec'd instead.
public final class SupervisorSpawner: Sendable {
    /// Where records live (`corral container … --root`).
    public let root: String
    /// The `corral` executable.
    public let executable: String
    private let environment: [String: String]
    private let helper = Mutex<Helper?>(nil)

    /// One helper process: the caller's end of its socket. Closing it ends the helper.
    final class Helper: Sendable {
        let socket: Int32
        init(socket: Int32) { self.socket = socket }
        deinit { ContainerSyscall.close(socket) }
    }

    /// A spawner for records under `root`, forking from `executable container spawner`.
    public init(root: String, executable: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.root = root
        self.executable = executable
        self.environment = environment
    }

    /// Starts the supervisor of `record` (saved under `root` already) and waits until it has
    /// started the container, as `DetachedSupervisor.start` does; throws the launch error.
    @discardableResult
    public func start(_ record: ContainerRecord) throws -> StartedContainer? {
        for attempt in 0..<2 {
            let current = try runningHelper()
            var ready: [Int32] = [-1, -1]
            guard corral_pipe_cloexec(&ready) == 0 else {
                throw ContainerError.system(.supervise, "pipe2(ready)", errno: errno)
            }
            let id = Array(record.id.utf8)
            let sent = id.withUnsafeBytes { corral_send_with_fd(current.socket, $0.baseAddress, $0.count, ready[1]) }
            ContainerSyscall.close(ready[1])
            defer { ContainerSyscall.close(ready[0]) }
            guard sent == id.count else {
                // Not received: the helper is gone. Forget it; try a new one, then the exec path.
                helper.withLock { if $0 === current { $0 = nil } }
                if attempt == 0 { continue }
                return try DetachedSupervisor.start(record, root: root, executable: executable, environment: environment)
            }
            let answer = try DetachedSupervisor.readAll(ready[0])
            if answer == SupervisorSpawner.execInstead {
                return try DetachedSupervisor.start(record, root: root, executable: executable, environment: environment)
            }
            return try DetachedSupervisor.check(answer, record: record)
        }
        return nil
    }

    /// Stops the helper (containers it started keep running). A later `start` starts a new one.
    public func stopHelper() {
        helper.withLock { $0 = nil }
    }

    private func runningHelper() throws -> Helper {
        try helper.withLock { current -> Helper in
            if let current { return current }
            let started = try launchHelper()
            current = started
            return started
        }
    }

    /// Spawns `executable container spawner --root ROOT --socket-fd 3`, detached, with the
    /// other end of a new socket pair as its fd 3.
    private func launchHelper() throws -> Helper {
        var pair: [Int32] = [-1, -1]
        guard corral_seqpacket_pair(&pair) == 0 else {
            throw ContainerError.system(.supervise, "socketpair(spawner)", errno: errno)
        }
        let arguments = [executable, "container", "spawner", "--root", root, "--socket-fd", "3"]
        var argv = arguments.map { strdup($0) } + [nil]
        // Every symbol bound at the helper's start, once, rather than lazily in each fork.
        var helperEnvironment = environment
        helperEnvironment["LD_BIND_NOW"] = "1"
        var envp = helperEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let spawned = corral_spawn_detached(executable, &argv, &envp, pair[1])
        let spawnErrno = errno
        ContainerSyscall.close(pair[1])
        guard spawned == 0 else {
            ContainerSyscall.close(pair[0])
            throw ContainerError.system(.supervise, "spawn(\(executable) container spawner)", errno: spawnErrno)
        }
        return Helper(socket: pair[0])
    }
}
