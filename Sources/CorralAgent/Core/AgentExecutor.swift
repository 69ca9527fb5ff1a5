import CorralModel

/// A custom executor the agent runs, as it is checkpointed: one per (framework, executor ID),
/// started by the first task that names it, in its own container, and kept until that
/// container exits.
public struct AgentExecutor: Codable, Hashable, Sendable {
    public var key: ExecutorKey
    /// What the framework asked for (its `framework_id` filled in).
    public var info: ExecutorInfo
    public var frameworkInfo: FrameworkInfo?
    /// The executor's container, once the runner reported it running.
    public var containerID: ContainerID?
    /// The PID of the executor's process, once known.
    public var pid: UInt32?
    /// Set once the agent told it to shut down: how long it has before its container is killed.
    public var shutdownGrace: Duration?

    /// Whether this is the agent's own (default) executor of task groups: a container that
    /// holds the namespaces its tasks share, rather than a program speaking the Executor API.
    public var runsTaskGroups: Bool { info.command == nil || info.type == .default }

    public init(
        key: ExecutorKey, info: ExecutorInfo, frameworkInfo: FrameworkInfo?, containerID: ContainerID? = nil,
        pid: UInt32? = nil, shutdownGrace: Duration? = nil
    ) {
        self.key = key
        self.info = info
        self.frameworkInfo = frameworkInfo
        self.containerID = containerID
        self.pid = pid
        self.shutdownGrace = shutdownGrace
    }
}
