import CorralContainer
import CorralModel
import Foundation
import Synchronization

/// The runner's shared state: its container store, what it knows of each task, and the
/// event stream. The exit watcher's thread holds this, not the runner, so dropping the
/// runner stops everything.
final class TaskRunnerCore: Sendable {
    /// Where a task is, as far as this runner knows.
    enum Entry: Sendable, Equatable {
        /// Being launched; a kill that arrives meanwhile waits here (with the disk
        /// limitation it is for, if any).
        case launching(pendingKill: Duration?, diskLimitation: String? = nil)
        case running(containerID: String)
        /// Ended; its record stays until `release`.
        case ended(containerID: String)
    }

    /// Labels naming a container's task.
    static let frameworkLabel = "corral.agent/framework-id"
    static let taskLabel = "corral.agent/task-id"

    let configuration: TaskRunnerConfiguration
    let store: ContainerStore
    /// Forks each container's detached supervisor from a warm helper process.
    let spawner: SupervisorSpawner
    /// The images tasks run in, resolved once per version of the store's index.
    let images: ImageLaunchCache
    /// Pulls the images tasks name that the store does not have.
    let puller: ImagePuller
    let entries = Mutex<[TaskKey: Entry]>([:])
    /// Limits how many launches run at once.
    let launchGate: LaunchGate
    private let continuation: AsyncStream<TaskRunnerEvent>.Continuation

    init(configuration: TaskRunnerConfiguration, continuation: AsyncStream<TaskRunnerEvent>.Continuation) {
        self.configuration = configuration
        self.store = ContainerStore(root: configuration.containerRoot)
        self.spawner = SupervisorSpawner(root: store.root, executable: configuration.corralExecutable)
        self.images = ImageLaunchCache(root: configuration.imageRoot)
        self.puller = ImagePuller(imageRoot: configuration.imageRoot, settings: configuration.imagePulls)
        self.continuation = continuation
        self.launchGate = LaunchGate(permits: configuration.concurrentLaunches)
    }

    /// The task a record belongs to, from its labels.
    static func key(of record: ContainerRecord) -> TaskKey? {
        guard let framework = record.labels[frameworkLabel], let task = record.labels[taskLabel] else { return nil }
        return TaskKey(FrameworkID(framework), TaskID(task))
    }

    /// The labels of a task's container.
    static func labels(for key: TaskKey) -> [String: String] {
        [frameworkLabel: key.frameworkID.value, taskLabel: key.taskID.value]
    }

    /// The marker the runner leaves before it kills a container, so its end reads as a kill
    /// even when another runner (after an agent restart) sees it.
    func killMarker(_ containerID: String) -> String { store.paths(for: containerID).directory + "/killed" }

    /// Leaves the kill marker (before the first signal); a kill for a limitation (a volume
    /// that outgrew its disk) says so in it, and the task ends TASK_FAILED with that reason.
    func markKilled(_ containerID: String, diskLimitation: String? = nil) throws {
        let path = killMarker(containerID)
        let contents = diskLimitation.map { Data((Self.diskLimitationPrefix + $0).utf8) } ?? Data()
        guard FileManager.default.createFile(atPath: path, contents: contents) else {
            throw ContainerError(.io, stage: "create '\(path)'", cause: "the container's directory is not writable")
        }
    }

    /// A watched supervisor exited: read its record and report the task's end.
    func containerExited(_ containerID: String) {
        guard let (key, end) = end(ofContainer: containerID) else { return }
        entries.withLock { entries in
            if entries[key] == .running(containerID: containerID) {
                entries[key] = .ended(containerID: containerID)
            }
        }
        continuation.yield(.ended(key, end))
    }

    /// The end of a container whose supervisor is gone. A container that still runs
    /// without its supervisor (it was killed) is stopped first: nobody keeps its logs.
    func end(ofContainer containerID: String) -> (TaskKey, TaskEnd)? {
        guard let loaded = try? store.load(id: containerID), let key = Self.key(of: loaded) else { return nil }
        var note = ""
        var record: ContainerRecord
        do {
            record = try store.reconciled(loaded)
        } catch {
            // Its end could not be written (a full or read-only disk): report it all the same
            // from what was read; the record is set right when it is next read and can be saved.
            record = loaded
            if case .running(let initProcess, let supervisor) = loaded.state, !initProcess.isAlive, !supervisor.isAlive {
                record.state = .exited(exitCode: nil, oomKilled: false, finishedAt: Date())
                note = " (its end could not be recorded: \(error))"
            }
        }
        if case .running(_, let supervisor) = record.state, !supervisor.isAlive {
            record = (try? store.stop(record, grace: .zero)) ?? record
            note = " (its supervisor died, so the agent stopped it)"
        }
        let marker = FileManager.default.contents(atPath: killMarker(containerID)).map { String(decoding: $0, as: UTF8.self) }
        if let marker, marker.hasPrefix(Self.diskLimitationPrefix), case .exited = record.state {
            let message = String(marker.dropFirst(Self.diskLimitationPrefix.count))
            return (key, TaskEnd(state: .failed, reason: .containerLimitationDisk, message: message + note))
        }
        let killed = marker != nil
        guard var end = TaskExitMapping.end(
            of: record.state,
            killed: killed,
            memoryLimitBytes: record.spec.memoryLimitBytes
        ) else {
            return (
                key,
                TaskEnd(state: .failed, reason: .commandExecutorFailed, message: "the container's state is unknown\(note)")
            )
        }
        end.message += note
        return (key, end)
    }

    /// What starts the kill marker of a disk limitation.
    static let diskLimitationPrefix = "disk-limitation: "

    /// Ends the event stream.
    func finish() { continuation.finish() }
}

extension ContainerError {
    /// `error` itself if it is a `ContainerError`, else an `io` error saying what failed.
    static func wrapping(_ error: any Error, _ what: String) -> ContainerError {
        (error as? ContainerError) ?? ContainerError(.io, stage: what, cause: "\(error)")
    }
}
