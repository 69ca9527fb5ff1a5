import CCorralLauncher
import Foundation

/// Starts a recorded container under `corral container supervise ID`, fully detached
/// (its own session, re-parented to init), so the container outlives whoever started it.
/// `SupervisorSpawner` does the same without an exec per container.
public enum DetachedSupervisor {
    /// Spawns `executable container supervise <record.id> --root <root> --ready-fd 3` and
    /// waits until the supervisor has started the container (or failed to). The record must
    /// be saved under `root` already. Blocks for the length of the launch. Returns the
    /// started container's init and supervisor, as its record now says.
    @discardableResult
    public static func start(
        _ record: ContainerRecord,
        root: String,
        executable: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> StartedContainer? {
        var ready: [Int32] = [-1, -1]
        guard corral_pipe_cloexec(&ready) == 0 else {
            throw ContainerError.system(.supervise, "pipe2(ready)", errno: errno)
        }
        let arguments = [executable, "container", "supervise", record.id, "--root", root, "--ready-fd", "3"]
        var argv = arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let spawned = corral_spawn_detached(executable, &argv, &envp, ready[1])
        let spawnErrno = errno
        ContainerSyscall.close(ready[1])
        defer { ContainerSyscall.close(ready[0]) }
        guard spawned == 0 else {
            throw ContainerError.system(.supervise, "spawn(\(executable) container supervise)", errno: spawnErrno)
        }
        return try awaitReady(ready[0], record: record)
    }

    /// Reads the ready pipe to EOF: returns on "ok", throws the supervisor's launch error.
    static func awaitReady(_ fd: Int32, record: ContainerRecord) throws -> StartedContainer? {
        try check(readAll(fd), record: record)
    }

    /// Returns on "ok" (with the processes it names), throws the supervisor's launch error.
    static func check(_ text: String, record: ContainerRecord) throws -> StartedContainer? {
        guard text.hasPrefix("ok") else {
            throw ContainerError(
                .launch,
                stage: "start \(record.name)",
                cause: text.isEmpty ? "the supervisor exited before it reported the start" : text
            )
        }
        return StartedContainer(readyLine: text)
    }

    /// Reads `fd` to EOF.
    static func readAll(_ fd: Int32) throws -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try buffer.withUnsafeMutableBytes {
                try ContainerSyscall.read(fd, into: $0, stage: "read(ready pipe)")
            }
            guard let count else { continue }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}

extension Supervisor {
    /// The body of a detached supervisor (`corral container supervise ID`, or a copy forked by
    /// `SupervisorSpawner`): loads record `id`, starts it, writes "ok" or the launch error to
    /// `readyFD` (then closes it), and supervises until the container exits.
    public static func runDetached(id: String, store: ContainerStore, readyFD: Int32) throws {
        defer { reapOrphans() }
        let record: ContainerRecord
        do { record = try store.load(id: id) } catch {
            report("\(error)\n", to: readyFD)
            throw error
        }
        _ = try Supervisor(store: store).run(record) { result in
            switch result {
            case .success(let running): report(StartedContainer(running).map { "ok \($0.readyLine)\n" } ?? "ok\n", to: readyFD)
            case .failure(let error): report("\(error)\n", to: readyFD)
            }
        }
    }

    private static func report(_ message: String, to fd: Int32) {
        guard fd >= 0 else { return }
        _ = message.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}

/// The processes of a container that just started, as its supervisor reports them on the
/// ready pipe (`ok INIT_PID INIT_TICKS SUPERVISOR_PID SUPERVISOR_TICKS`), so that whoever
/// started it need not read the record back.
public struct StartedContainer: Sendable, Equatable {
    /// The container's init (PID 1 inside).
    public var initProcess: ProcessIdentity
    /// Its supervisor.
    public var supervisor: ProcessIdentity

    /// The running record's processes, or nil when it is not running.
    init?(_ record: ContainerRecord) {
        guard case .running(let initProcess, let supervisor) = record.state else { return nil }
        self.initProcess = initProcess
        self.supervisor = supervisor
    }

    /// Parses the text after "ok"; nil when it names no processes (a bare "ok").
    init?(readyLine text: String) {
        let fields = text.split(separator: " ").dropFirst()
        guard fields.count == 4, let initPid = Int32(fields[fields.startIndex]),
            let initTicks = UInt64(fields[fields.startIndex + 1]),
            let supervisorPid = Int32(fields[fields.startIndex + 2]),
            let supervisorTicks = UInt64(fields[fields.startIndex + 3])
        else { return nil }
        initProcess = ProcessIdentity(pid: initPid, startTicks: initTicks)
        supervisor = ProcessIdentity(pid: supervisorPid, startTicks: supervisorTicks)
    }

    /// The four numbers as the ready pipe carries them.
    var readyLine: String {
        "\(initProcess.pid) \(initProcess.startTicks) \(supervisor.pid) \(supervisor.startTicks)"
    }
}
