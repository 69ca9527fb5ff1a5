import CorralContainer
import CorralModel
import Foundation

/// The blocking half of `TaskRunner.recover`: every labelled container of the work dir,
/// re-attached or reported with how it ended.
struct TaskRecovery {
    let core: TaskRunnerCore
    let watcher: ExitWatcher

    func run() -> [RecoveredTask] {
        let records = (try? core.store.list()) ?? []
        // Newest last: a task relaunched before its old record was released keeps the newest.
        var newest: [TaskKey: ContainerRecord] = [:]
        for record in records {
            if let key = TaskRunnerCore.key(of: record) { newest[key] = record }
        }
        var recovered: [RecoveredTask] = []
        for (key, record) in newest.sorted(by: { $0.key < $1.key }) {
            if let task = recover(key, record) { recovered.append(task) }
        }
        core.store.sweep()
        return recovered
    }

    private func recover(_ key: TaskKey, _ record: ContainerRecord) -> RecoveredTask? {
        let sandbox = core.configuration.sandbox(for: key)
        switch record.state {
        case .created:
            // Never started (the agent died between recording and starting it): nothing runs.
            try? core.store.remove(record)
            return RecoveredTask(
                key: key,
                containerID: record.id,
                state: .ended(
                    TaskLauncher.launchFailed("start the container", "the agent stopped before the container started")
                )
            )
        case .running(let initProcess, let supervisor):
            core.entries.withLock { $0[key] = .running(containerID: record.id) }
            if watcher.watch(record.id, process: supervisor) {
                let running = RunningTask(key: key, containerID: record.id, pid: initProcess.pid, sandbox: sandbox)
                return RecoveredTask(key: key, containerID: record.id, state: .running(running))
            }
            return ended(key, record)
        case .exited, .failed:
            return ended(key, record)
        }
    }

    /// A container whose supervisor is gone: its end as recorded (stopping it first if it runs unsupervised).
    private func ended(_ key: TaskKey, _ record: ContainerRecord) -> RecoveredTask? {
        guard let (_, end) = core.end(ofContainer: record.id) else { return nil }
        core.entries.withLock { $0[key] = .ended(containerID: record.id) }
        return RecoveredTask(key: key, containerID: record.id, state: .ended(end))
    }
}
