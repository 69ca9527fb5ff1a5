import CorralModel

/// One change to the registry, as written in the Raft log. The leader decides; every
/// replica applies the same commands in the same order to the same result. Times are the
/// proposing leader's wall clock; the registry's clock is the largest time it has applied.
public indirect enum RegistryCommand: Codable, Hashable, Sendable {
    /// A scheduler subscribed (new, or the same framework again); `info.id` is set.
    case subscribeFramework(info: FrameworkInfo, atNanos: UInt64)
    /// UPDATE_FRAMEWORK.
    case updateFramework(info: FrameworkInfo, atNanos: UInt64)
    /// The scheduler's connection ended (or a new leader has not heard from it).
    case disconnectFramework(id: FrameworkID, atNanos: UInt64, deadlineNanos: UInt64)
    /// TEARDOWN by the scheduler or an operator: its tasks are killed.
    case removeFramework(id: FrameworkID, atNanos: UInt64)
    /// Advances the replicated clock; frameworks whose fail-over deadline has passed are removed.
    case tick(atNanos: UInt64)

    /// A new agent; `info.id` is set; `ip` is the address its connection came from (which,
    /// with its hostname, names its machine for maintenance).
    case admitAgent(info: AgentInfo, atNanos: UInt64, ip: String? = nil)
    /// A known agent came back, reporting the tasks it still knows.
    case reregisterAgent(info: AgentInfo, reported: [ReportedTask], atNanos: UInt64, ip: String? = nil)
    case agentUnreachable(id: AgentID, atNanos: UInt64)
    case markAgentGone(id: AgentID, atNanos: UInt64)
    /// The agent's total resources changed.
    case updateAgentResources(id: AgentID, resources: [Resource], atNanos: UInt64)
    /// DRAIN_AGENT: the agent is deactivated and its tasks are killed; once none is live it
    /// is drained (and marked gone with `markGone`).
    case drainAgent(id: AgentID, maxGraceNanos: Int64?, markGone: Bool, atNanos: UInt64)
    /// DEACTIVATE_AGENT (`true`) or REACTIVATE_AGENT (`false`, which also ends a drain).
    case deactivateAgent(id: AgentID, deactivated: Bool, atNanos: UInt64)
    /// RESERVE: each resource, as it is to be reserved (a dynamic reservation on top of its
    /// stack), is taken from what is free on the agent without that reservation.
    case reserve(agentID: AgentID, resources: [Resource], atNanos: UInt64)
    /// UNRESERVE: each resource, dynamically reserved and free, goes back to what it was
    /// before that reservation.
    case unreserve(agentID: AgentID, resources: [Resource], atNanos: UInt64)
    /// An offer operation's status (with a UUID), kept with its framework until acknowledged.
    case operationStatus(frameworkID: FrameworkID, status: OperationStatus, atNanos: UInt64)
    /// ACKNOWLEDGE_OPERATION_STATUS: the status with this UUID is no longer sent.
    case acknowledgeOperation(frameworkID: FrameworkID, operationID: OperationID, uuid: [UInt8])
    /// CREATE: persistent volumes made on free reserved disk.
    case createVolumes(agentID: AgentID, volumes: [Resource], atNanos: UInt64)
    /// DESTROY: unused volumes removed, their disk back to their role.
    case destroyVolumes(agentID: AgentID, volumes: [Resource], atNanos: UInt64)
    /// GROW_VOLUME: free disk of the volume's reservation added to an unused volume.
    case growVolume(agentID: AgentID, volume: Resource, addition: Resource, atNanos: UInt64)
    /// SHRINK_VOLUME: disk taken off an unused volume, back to its role.
    case shrinkVolume(agentID: AgentID, volume: Resource, subtract: Scalar, atNanos: UInt64)

    /// Tasks accepted from offers on one agent (one LAUNCH or LAUNCH_GROUP operation).
    case launch(frameworkID: FrameworkID, agentID: AgentID, role: String, tasks: [TaskInfo],
        executor: ExecutorInfo?, atNanos: UInt64)
    /// A status update, from an agent (with a UUID) or made by the master.
    case statusUpdate(frameworkID: FrameworkID, status: TaskStatus, atNanos: UInt64)
    /// The scheduler acknowledged the update with `uuid`.
    case acknowledge(frameworkID: FrameworkID, taskID: TaskID, uuid: [UInt8])

    case updateQuota([QuotaRecord])
    case removeQuota(role: String)
    case updateWeights([String: Double])
    case updateMaintenance(MaintenanceSchedule)
    /// START_MAINTENANCE: scheduled machines go down; their agents are removed (their tasks
    /// TASK_LOST) and cannot register until the machines are up again.
    case startMaintenance(machines: [MaintenanceSchedule.MachineID], atNanos: UInt64)
    /// STOP_MAINTENANCE: down machines come up and leave the schedule.
    case stopMaintenance(machines: [MaintenanceSchedule.MachineID], atNanos: UInt64)

    public var encoded: [UInt8] {
        // Encoding plain Codable values cannot fail.
        [Self.tag] + ((try? MesosJSON.encode(self)) ?? [])
    }

    /// The first byte of a registry command in the log (key-value commands use 1 and 2).
    public static let tag: UInt8 = 3

    public init(decoding bytes: [UInt8]) throws {
        guard bytes.first == Self.tag else {
            throw MasterError(code: .request, message: "not a registry command")
        }
        self = try MesosJSON.decode(RegistryCommand.self, from: bytes.dropFirst())
    }
}

/// A task an agent reports when it re-registers.
public typealias ReportedTask = AgentCall.TaskReport

/// What applying a command decided, returned to the proposer.
public struct RegistryOutcome: Codable, Hashable, Sendable {
    /// Why the command changed nothing, if it was refused.
    public var error: String?
    /// The Mesos reason to report with it, e.g. `REASON_TASK_INVALID`.
    public var reason: String?

    public static let ok = RegistryOutcome()

    public init(error: String? = nil, reason: String? = nil) {
        self.error = error
        self.reason = reason
    }

    public var encoded: [UInt8] { (try? MesosJSON.encode(self)) ?? [] }

    public init(decoding bytes: [UInt8]) {
        self = (try? MesosJSON.decode(RegistryOutcome.self, from: bytes)) ?? RegistryOutcome(error: "unreadable outcome")
    }
}
