import CorralStore
import CorralModel

/// What applying a command changed, reported after the change is durable on this replica.
/// The leader turns these into offers, kills, forwarded updates and operator events.
public enum RegistryChange: Hashable, Sendable {
    case frameworkAdded(FrameworkRecord)
    case frameworkUpdated(FrameworkRecord)
    /// The framework is gone; `killed` are its tasks that were still live on agents.
    case frameworkRemoved(FrameworkRecord, killed: [TaskRecord])
    case agentAdded(AgentRecord)
    case agentUpdated(AgentRecord)
    case taskAdded(TaskRecord)
    /// A task's state or pending updates changed.
    case taskUpdated(TaskRecord)
    /// A terminal task whose updates were all acknowledged left the live set.
    case taskCompleted(TaskRecord)
    /// An operation's status was committed: the framework is sent it.
    case operationUpdated(FrameworkID, OperationStatus)
    case quotaChanged
    case weightsChanged
    case maintenanceChanged
}

/// Names one stored record of the registry.
enum RegistryKey: Hashable, Sendable {
    case clock
    case agent(AgentID)
    case framework(FrameworkID)
    case task(TaskKey)
    case completedTask(UInt64)
    case completedFramework(FrameworkID)
    case quota(String)
    case weights
    case maintenance

    var bytes: [UInt8] {
        switch self {
        case .clock: Array("c/clock".utf8)
        case .agent(let id): Array("a/\(id.value)".utf8)
        case .framework(let id): Array("f/\(id.value)".utf8)
        case .task(let key): Array("t/\(key.frameworkID.value)\u{0}\(key.taskID.value)".utf8)
        case .completedTask(let sequence): Array("x/".utf8) + BigEndianKey.encode(sequence)
        case .completedFramework(let id): Array("y/\(id.value)".utf8)
        case .quota(let role): Array("q/\(role)".utf8)
        case .weights: Array("w/weights".utf8)
        case .maintenance: Array("m/schedule".utf8)
        }
    }
}
