import CorralContainer
import CorralModel
import Foundation

/// Runs the agent's command tasks in containers that outlive the agent.
///
/// `launch` starts each task's container under a detached supervisor (forked by `SupervisorSpawner`)
/// (records under `<work-dir>/containers`, labelled with the task key, output in the task's
/// sandbox). Their ends arrive through `events`. After an agent restart, a new runner on
/// the same work dir finds every container again with `recover()`. A record stays after the
/// end until `release` (call it once the terminal update is checkpointed), so a restart in
/// between still finds the real exit status.
public final class TaskRunner: Sendable {
    /// Where the runner keeps its state.
    public var configuration: TaskRunnerConfiguration { core.configuration }
    /// How many image pulls this runner has started (each missing image once).
    public var imagePullsStarted: Int { core.puller.pullsStarted }
    /// `.ended` for every launched or re-attached task whose container exits; may arrive
    /// before `launch` returns for a task that exits at once. Finishes when the runner goes.
    public let events: AsyncStream<TaskRunnerEvent>

    private let core: TaskRunnerCore
    private let watcher: ExitWatcher

    /// Makes a runner; fails only if the exit watcher's pipe cannot be made.
    public init(configuration: TaskRunnerConfiguration) throws {
        let (stream, continuation) = AsyncStream.makeStream(of: TaskRunnerEvent.self)
        let core = TaskRunnerCore(configuration: configuration, continuation: continuation)
        self.events = stream
        self.core = core
        self.watcher = try ExitWatcher { [core] id in core.containerExited(id) }
    }

    deinit {
        watcher.stop()
        core.finish()
    }

    /// Starts the task's container; returns once the task has exec'd, or how it ended:
    /// TASK_ERROR for a task that cannot run as given, TASK_FAILED with
    /// REASON_CONTAINER_PREPARATION_FAILED for a missing image, and TASK_FAILED with
    /// REASON_CONTAINER_LAUNCH_FAILED (naming the stage) when the container did not start.
    public func launch(_ launch: TaskLaunch) async -> Result<RunningTask, TaskEnd> {
        let claimed = core.entries.withLock { entries -> Result<Void, TaskEnd> in
            switch entries[launch.key] {
            case .launching, .running:
                return .failure(
                    TaskEnd(state: .error, reason: .taskInvalid, message: "task \(launch.key) is already launched")
                )
            case .ended, nil:
                entries[launch.key] = .launching(pendingKill: nil)
                return .success(())
            }
        }
        if case .failure(let end) = claimed { return .failure(end) }
        let core = core
        let started = await core.launchGate.run { await BlockingWork.run { TaskLauncher(core: core).start(launch) } }
        switch started {
        case .failure(let end):
            core.entries.withLock { $0[launch.key] = nil }
            return .failure(end)
        case .success(let (running, supervisor)):
            let pending = core.entries.withLock { entries -> (grace: Duration, diskLimitation: String?)? in
                defer { entries[launch.key] = .running(containerID: running.containerID) }
                guard case .launching(let pendingKill, let diskLimitation) = entries[launch.key], let pendingKill else { return nil }
                return (pendingKill, diskLimitation)
            }
            if supervisor.map({ watcher.watch(running.containerID, process: $0) }) != true {
                core.containerExited(running.containerID)
            }
            if let pending { try? await kill(launch.key, grace: pending.grace, diskLimitation: pending.diskLimitation) }
            return .success(running)
        }
    }

    /// SIGTERM to the task, then after `grace` SIGKILL to all of its container; the task
    /// ends (through `events`) as TASK_KILLED, or as TASK_FAILED with
    /// REASON_CONTAINER_LIMITATION_DISK and `diskLimitation` as its message when given. A task still launching is killed once it
    /// started; an unknown or ended task is left alone. Returns once the container exited.
    public func kill(_ key: TaskKey, grace: Duration, diskLimitation: String? = nil) async throws {
        let containerID = core.entries.withLock { entries -> String? in
            switch entries[key] {
            case .launching:
                entries[key] = .launching(pendingKill: grace, diskLimitation: diskLimitation)
                return nil
            case .running(let containerID):
                return containerID
            case .ended, nil:
                return nil
            }
        }
        guard let containerID else { return }
        let core = core
        let result = await BlockingWork.run { () -> Result<Void, ContainerError> in
            do {
                try core.markKilled(containerID, diskLimitation: diskLimitation)
                _ = try core.store.stop(core.store.load(id: containerID), grace: grace)
                return .success(())
            } catch {
                return .failure(.wrapping(error, "kill task \(key) (container \(containerID))"))
            }
        }
        try result.get()
    }

    /// Finds every container of this work dir after a restart: running ones are re-attached
    /// (their end comes through `events`), ended ones come with their real exit status, and
    /// containers that never started are removed and reported as failed launches.
    public func recover() async -> [RecoveredTask] {
        let core = core
        let watcher = watcher
        return await BlockingWork.run { TaskRecovery(core: core, watcher: watcher).run() }
    }

    /// Forgets an ended task: removes its container record (the sandbox stays). Call it once
    /// the task's terminal update is safely checkpointed. Does nothing for a running task.
    public func release(_ key: TaskKey) async throws {
        let containerID = core.entries.withLock { entries -> String? in
            guard case .ended(let containerID) = entries[key] else { return nil }
            entries[key] = nil
            return containerID
        }
        guard let containerID else { return }
        let store = core.store
        let result = await BlockingWork.run { () -> Result<Void, ContainerError> in
            do {
                try store.removeEnded(id: containerID)
                return .success(())
            } catch {
                return .failure(.wrapping(error, "release task \(key) (container \(containerID))"))
            }
        }
        try result.get()
    }
}
