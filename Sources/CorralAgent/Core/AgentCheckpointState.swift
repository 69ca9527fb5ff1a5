import CorralModel

/// Everything the agent checkpoints, as `AgentCheckpointStore.load()` returns it and
/// `AgentInput.started(recovered:)` takes it.
public struct AgentCheckpointState: Codable, Hashable, Sendable {
    /// The ID the master gave the agent; nil until the first SUBSCRIBED.
    public var agentID: AgentID?
    /// The highest leader term the agent has seen.
    public var highestTerm: UInt64
    /// Every task not yet acknowledged-terminal.
    public var tasks: [TaskKey: AgentTask]
    /// Unacknowledged status updates, by sequence.
    public var updates: [UInt64: PendingUpdate]
    /// Tasks that ended and whose every update was acknowledged, with the sequence at which
    /// they completed (the oldest are forgotten first, past `AgentConfiguration.completedLimit`).
    public var completed: [TaskKey: UInt64]
    /// The custom executors started and not seen to exit.
    public var executors: [ExecutorKey: AgentExecutor]

    public init(
        agentID: AgentID? = nil, highestTerm: UInt64 = 0, tasks: [TaskKey: AgentTask] = [:],
        updates: [UInt64: PendingUpdate] = [:], completed: [TaskKey: UInt64] = [:],
        executors: [ExecutorKey: AgentExecutor] = [:]
    ) {
        self.executors = executors
        self.agentID = agentID
        self.highestTerm = highestTerm
        self.tasks = tasks
        self.updates = updates
        self.completed = completed
    }

    /// A first start: nothing recorded.
    public static let empty = AgentCheckpointState()

    /// The highest sequence number in use (updates and completed tasks), 0 when none.
    public var highestSequence: UInt64 {
        max(updates.keys.max() ?? 0, completed.values.max() ?? 0)
    }

    /// Applies changes in order, as a store does in one transaction.
    public mutating func apply(_ changes: [CheckpointChange]) {
        for change in changes {
            switch change {
            case .agentID(let id): agentID = id
            case .highestTerm(let term): highestTerm = max(highestTerm, term)
            case .putTask(let task): tasks[task.key] = task
            case .putUpdate(let update): updates[update.sequence] = update
            case .removeUpdate(let sequence): updates.removeValue(forKey: sequence)
            case .complete(let key, let sequence):
                tasks.removeValue(forKey: key)
                completed[key] = sequence
            case .forgetCompleted(let key): completed.removeValue(forKey: key)
            case .putExecutor(let executor): executors[executor.key] = executor
            case .removeExecutor(let key): executors.removeValue(forKey: key)
            }
        }
    }
}

/// One change to the checkpoint. The state machine emits them in `AgentEffect.persist`; the
/// shell writes each batch in one durable transaction before carrying out any later effect.
public enum CheckpointChange: Codable, Hashable, Sendable {
    /// The master gave the agent this ID.
    case agentID(AgentID)
    /// A newer leader term was seen.
    case highestTerm(UInt64)
    /// Add or replace a task's record.
    case putTask(AgentTask)
    /// Record a new status update (before it is first sent).
    case putUpdate(PendingUpdate)
    /// The master acknowledged the update with this sequence.
    case removeUpdate(sequence: UInt64)
    /// The task ended and all its updates were acknowledged: drop its record, remember its key.
    case complete(TaskKey, sequence: UInt64)
    /// Forget the oldest completed keys past the limit.
    case forgetCompleted(TaskKey)
    /// Add or replace a custom executor's record.
    case putExecutor(AgentExecutor)
    /// The executor's container exited: drop its record.
    case removeExecutor(ExecutorKey)
}
