import CCorralLauncher
import Foundation

/// Runs one recorded container to completion and keeps its record current: it is
/// the child subreaper, starts the container, records `running`, waits, and
/// records the exit status and OOM flag after cleanup.
public struct Supervisor: Sendable {
    /// Where records live.
    public let store: ContainerStore
    /// How output is kept.
    public let logOptions: LogOptions

    /// Makes a supervisor.
    public init(store: ContainerStore, logOptions: LogOptions = LogOptions()) {
        self.store = store
        self.logOptions = logOptions
    }

    /// Starts `record`, calls `started` (with the saved running record, or the launch
    /// error), then supervises until it exits. Records the outcome either way.
    public func run(
        _ record: ContainerRecord,
        started: (Result<ContainerRecord, ContainerError>) -> Void = { _ in }
    ) throws -> ContainerExit {
        if corral_set_child_subreaper() != 0 {
            throw ContainerError.system(.supervise, "prctl(PR_SET_CHILD_SUBREAPER)", errno: errno)
        }
        let container = Container(
            spec: record.spec,
            paths: store.paths(for: record.id),
            logOptions: logOptions
        )
        var current = record
        let pid: pid_t
        do {
            pid = try container.start()
        } catch let error as ContainerError {
            current.state = .failed(message: error.description)
            try? store.save(current)
            started(.failure(error))
            throw error
        }
        // A task that exits at once leaves a zombie init: its identity is still readable.
        let initProcess =
            ProcessIdentity.of(pid: pid, includingZombies: true) ?? ProcessIdentity(pid: pid, startTicks: 0)
        let me = ProcessIdentity.of(pid: getpid()) ?? ProcessIdentity(pid: getpid(), startTicks: 0)
        current.state = .running(initProcess: initProcess, supervisor: me)
        do {
            try store.save(current)
        } catch {
            // Never leave a started container unsupervised: clean it up, then report.
            try? container.stop(grace: .zero)
            _ = try? container.wait()
            throw error
        }
        started(.success(current))
        let exit: ContainerExit
        do {
            exit = try container.wait()
        } catch {
            current.state = .exited(exitCode: nil, oomKilled: false, finishedAt: Date())
            try? store.save(current)
            throw error
        }
        current.state = .exited(exitCode: exit.exitCode, oomKilled: exit.oomKilled, finishedAt: Date())
        try store.save(current)
        return exit
    }

    /// Reaps every exited child that is not `keep` (orphans re-parented to a subreaper).
    public static func reapOrphans() {
        var status: Int32 = 0
        while waitpid(-1, &status, WNOHANG) > 0 {}
    }
}
