import CorralContainer
import CorralModel
import Foundation

/// Where the task runner keeps its state, and what it gives every task.
public struct TaskRunnerConfiguration: Sendable {
    /// The agent's work directory: sandboxes under `sandboxes/`.
    public var workDirectory: String
    /// Where container state lives (records, overlay directories, mount points): a tmpfs
    /// the agent prepares (`RuntimeDirectory`). Default `<workDirectory>/runtime`.
    public var runtimeDirectory: String
    /// The root of the image store the tasks' images come from (`<imageRoot>/images`).
    public var imageRoot: String
    /// The `corral` executable that supervises each container (`corral container supervise`).
    public var corralExecutable: String
    /// Extra variables for every task (e.g. `MESOS_AGENT_ENDPOINT`); a task's own win.
    public var taskEnvironment: [String: String]
    /// The hostname tasks see (they share the host's network, as Mesos tasks do by default).
    public var hostname: String
    /// How many containers may be launching at once (`LaunchGate`); default: one per CPU, at least two.
    public var concurrentLaunches: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Where images that are not in the store are pulled from.
    public var imagePulls = ImagePullSettings()
    /// Tasks run in a user namespace with this mapping (`corral agent --userns`): root in a
    /// task is the range's first ID on the host, not root. Such tasks need an image.
    public var userNamespace: UserNamespaceMapping?

    /// Makes a configuration.
    public init(
        workDirectory: String,
        runtimeDirectory: String? = nil,
        imageRoot: String,
        corralExecutable: String,
        taskEnvironment: [String: String] = [:],
        hostname: String
    ) {
        self.workDirectory = workDirectory
        self.runtimeDirectory = runtimeDirectory ?? RuntimeDirectory.defaultPath(workDirectory: workDirectory)
        self.imageRoot = imageRoot
        self.corralExecutable = corralExecutable
        self.taskEnvironment = taskEnvironment
        self.hostname = hostname
    }

    /// `<work-dir>/sandboxes`.
    public var sandboxesDirectory: String { "\(workDirectory)/sandboxes" }
    /// The container state root, the runtime directory (records in its `containers/`).
    public var containerRoot: String { runtimeDirectory }

    /// `<work-dir>/sandboxes/<framework>/<task>`.
    public func sandbox(for key: TaskKey) -> String {
        "\(sandboxesDirectory)/\(key.frameworkID.value)/\(key.taskID.value)"
    }
}

/// A task whose container runs.
public struct RunningTask: Sendable, Hashable {
    /// The task.
    public var key: TaskKey
    /// The container's id (its record under the container root, its cgroups `corral/<id>`).
    public var containerID: String
    /// The host pid of the container's init.
    public var pid: Int32
    /// The task's sandbox on the host.
    public var sandbox: String

    /// Makes a running task.
    public init(key: TaskKey, containerID: String, pid: Int32, sandbox: String) {
        self.key = key
        self.containerID = containerID
        self.pid = pid
        self.sandbox = sandbox
    }
}

/// What the runner found of one task's container after a restart.
public struct RecoveredTask: Sendable, Hashable {
    /// Still running (re-attached: its end comes through `events`), or ended while no runner watched.
    public enum State: Sendable, Hashable {
        case running(RunningTask)
        case ended(TaskEnd)
    }

    /// The task.
    public var key: TaskKey
    /// The container's id.
    public var containerID: String
    /// Running or ended.
    public var state: State

    /// Makes a recovered task.
    public init(key: TaskKey, containerID: String, state: State) {
        self.key = key
        self.containerID = containerID
        self.state = state
    }
}

/// What the runner reports as it happens.
public enum TaskRunnerEvent: Sendable, Hashable {
    /// A launched or re-attached task's container exited.
    case ended(TaskKey, TaskEnd)
}

/// A launch that did not start ends the task: `launch` reports it as the failure of a `Result`.
extension TaskEnd: Error {}
