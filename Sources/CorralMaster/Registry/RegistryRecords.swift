import CorralModel

/// An admitted agent, as replicated.
public struct AgentRecord: Codable, Hashable, Sendable {
    /// Where an agent stands with the cluster.
    public enum State: Codable, Hashable, Sendable {
        case active
        /// It stopped answering; its tasks are TASK_UNREACHABLE until it comes back.
        case unreachable(sinceNanos: UInt64)
        /// An operator marked it gone; it may never come back.
        case gone(atNanos: UInt64)
    }

    /// The agent's info, with its ID set.
    public var info: AgentInfo
    public var state: State
    public var registeredAtNanos: UInt64
    /// When it last re-registered, if it has: an "unreachable" decided before then is stale.
    public var reregisteredAtNanos: UInt64?
    /// Dynamic reservations made by RESERVE operations, as reserved (the reservation on top
    /// of each resource's stack). They outlive the agent's re-registrations and restarts: the
    /// registry, not the agent, keeps them.
    public var reserved: [Resource] = []
    /// Persistent volumes made by CREATE (on reserved disk), each as its role sees it offered.
    /// Like reservations they are the registry's books and outlive the agent's restarts; only
    /// DESTROY removes one.
    public var volumes: [Resource] = []
    /// An operator deactivated it (DEACTIVATE_AGENT): it keeps its tasks, but nothing on it
    /// is offered until REACTIVATE_AGENT.
    public var deactivated = false
    /// DRAIN_AGENT: the agent's tasks are being killed (draining), or all ended (drained).
    public var drain: Drain?
    /// The address the agent's connection came from when it last registered; with its
    /// hostname, it names the agent's machine for maintenance.
    public var ip: String?
    /// START_MAINTENANCE took its machine down: its tasks were ended (TASK_LOST), and it
    /// cannot register until the machine is up.
    public var machineDown = false

    /// The agent's machine, as maintenance names machines (normalized).
    public var machine: MaintenanceSchedule.MachineID {
        MaintenanceSchedule.MachineID(hostname: info.hostname, ip: ip).normalized
    }

    /// DRAIN_AGENT's state and settings.
    public struct Drain: Codable, Hashable, Sendable {
        public enum State: String, Codable, Sendable {
            case draining = "DRAINING"
            case drained = "DRAINED"
        }
        public var state: State
        /// The longest a task's kill may take (capping its kill policy's grace period).
        public var maxGraceNanos: Int64?
        /// Whether the agent is marked gone once drained.
        public var markGone: Bool
    }

    public var id: AgentID { info.id ?? AgentID("") }
    /// Registered, reachable, and not on a machine that is down for maintenance.
    public var isActive: Bool { state == .active && !machineDown }

    /// The agent's whole resources: what it reports, with the dynamic reservations and the
    /// volumes made on it. A reservation or volume whose resources the agent no longer
    /// reports (it restarted smaller) is kept in `reserved` or `volumes` but not counted.
    public var total: Resources {
        var total = Resources(info.resources)
        for resource in reserved {
            guard let source = resource.beforeDynamicReservation, total.contains(source) else { continue }
            total.subtract(source)
            total.add(resource)
        }
        for volume in volumes where total.contains(volume.volumeSource) {
            total.subtract(volume.volumeSource)
            total.add(volume)
        }
        return total
    }
}

extension AgentRecord {
    enum CodingKeys: String, CodingKey {
        case info, state, registeredAtNanos, reregisteredAtNanos, reserved, volumes, deactivated, drain, ip, machineDown
    }

    /// Decodes a record; one written before dynamic reservations or volumes has none, and
    /// one written before deactivation is active.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        info = try container.decode(AgentInfo.self, forKey: .info)
        state = try container.decode(State.self, forKey: .state)
        registeredAtNanos = try container.decode(UInt64.self, forKey: .registeredAtNanos)
        reregisteredAtNanos = try container.decodeIfPresent(UInt64.self, forKey: .reregisteredAtNanos)
        reserved = try container.decodeIfPresent([Resource].self, forKey: .reserved) ?? []
        volumes = try container.decodeIfPresent([Resource].self, forKey: .volumes) ?? []
        deactivated = try container.decodeIfPresent(Bool.self, forKey: .deactivated) ?? false
        drain = try container.decodeIfPresent(Drain.self, forKey: .drain)
        ip = try container.decodeIfPresent(String.self, forKey: .ip)
        machineDown = try container.decodeIfPresent(Bool.self, forKey: .machineDown) ?? false
    }
}

/// A framework known to the registry.
public struct FrameworkRecord: Codable, Hashable, Sendable {
    public enum State: Codable, Hashable, Sendable {
        case active
        /// Its scheduler went away; it is removed at `deadlineNanos` on the replicated clock
        /// unless it subscribes again.
        case disconnected(sinceNanos: UInt64, deadlineNanos: UInt64)
        /// Torn down or failed over too late.
        case removed(atNanos: UInt64)
    }

    /// The framework's info, with its ID set.
    public var info: FrameworkInfo
    public var state: State
    public var registeredAtNanos: UInt64
    /// The latest status of each of its operations with an ID whose terminal status it has
    /// not acknowledged yet (nil: none), sent again until it does.
    public var operations: [OperationStatus]?

    public var id: FrameworkID { info.id ?? FrameworkID("") }
    public var isRemoved: Bool { if case .removed = state { true } else { false } }
    /// `failover_timeout` in nanoseconds (Mesos's default is 0: removed on disconnect).
    public var failoverTimeoutNanos: UInt64 { UInt64(max(0, info.failoverTimeoutSeconds ?? 0) * 1e9) }

    /// Mesos frameworks that are not PARTITION_AWARE see TASK_LOST instead of TASK_UNREACHABLE.
    public var isPartitionAware: Bool { info.capabilities.contains { $0.type == .partitionAware } }
}

/// A task launched through the registry: where it runs, what it holds, where it stands.
///
/// The fields live in one shared, copy-on-write box: a task record is copied on every lookup,
/// into every registry change and every master's registry, and its `TaskInfo` and statuses
/// make it large, so a copy is a reference count rather than a memory copy. It encodes, compares
/// and hashes as its fields (`TaskRecord.Fields`) do.
public struct TaskRecord: Codable, Hashable, Sendable {
    public struct Fields: Codable, Hashable, Sendable {
        public var key: TaskKey
        public var agentID: AgentID
        public var role: String
        public var info: TaskInfo
        /// The executor of a task group, if the task belongs to one.
        public var executor: ExecutorInfo?
        /// The task's state as the registry knows it.
        public var state: TaskState
        /// The latest status.
        public var status: TaskStatus
        /// Status updates committed but not yet acknowledged by the scheduler, oldest first; the
        /// scheduler sees only the first one until it acknowledges it (in order per task).
        public var pending: [TaskStatus]
        /// UUIDs of recent updates, to drop duplicates the agent sends again.
        public var recentUUIDs: [[UInt8]]
        public var launchedAtNanos: UInt64
    }

    /// Safe to share between threads: a box is only written through `fields`'s modify
    /// accessor, which first copies a box that another record also holds.
    private final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    public init(
        key: TaskKey, agentID: AgentID, role: String, info: TaskInfo, executor: ExecutorInfo?, state: TaskState,
        status: TaskStatus, pending: [TaskStatus], recentUUIDs: [[UInt8]], launchedAtNanos: UInt64
    ) {
        box = Box(
            Fields(
                key: key, agentID: agentID, role: role, info: info, executor: executor, state: state, status: status,
                pending: pending, recentUUIDs: recentUUIDs, launchedAtNanos: launchedAtNanos))
    }

    /// All the fields at once; written in place when this record holds its box alone.
    public var fields: Fields {
        get { box.fields }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
            yield &box.fields
        }
    }

    public var key: TaskKey {
        get { box.fields.key }
        _modify { yield &fields.key }
    }
    public var agentID: AgentID {
        get { box.fields.agentID }
        _modify { yield &fields.agentID }
    }
    public var role: String {
        get { box.fields.role }
        _modify { yield &fields.role }
    }
    public var info: TaskInfo {
        get { box.fields.info }
        _modify { yield &fields.info }
    }
    /// The executor of a task group, if the task belongs to one.
    public var executor: ExecutorInfo? {
        get { box.fields.executor }
        _modify { yield &fields.executor }
    }
    /// The task's state as the registry knows it.
    public var state: TaskState {
        get { box.fields.state }
        _modify { yield &fields.state }
    }
    /// The latest status.
    public var status: TaskStatus {
        get { box.fields.status }
        _modify { yield &fields.status }
    }
    /// Status updates committed but not yet acknowledged by the scheduler, oldest first.
    public var pending: [TaskStatus] {
        get { box.fields.pending }
        _modify { yield &fields.pending }
    }
    /// UUIDs of recent updates, to drop duplicates the agent sends again.
    public var recentUUIDs: [[UInt8]] {
        get { box.fields.recentUUIDs }
        _modify { yield &fields.recentUUIDs }
    }
    public var launchedAtNanos: UInt64 {
        get { box.fields.launchedAtNanos }
        _modify { yield &fields.launchedAtNanos }
    }

    /// What the task holds on its agent.
    public var resources: Resources { Resources(box.fields.info.resources) }
    public var isTerminal: Bool { box.fields.state.isTerminal }

    public init(from decoder: any Decoder) throws { box = Box(try Fields(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try box.fields.encode(to: encoder) }
    public static func == (lhs: TaskRecord, rhs: TaskRecord) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }
}

/// A role's quota: guaranteed and limit quantities by resource name, in units.
public struct QuotaRecord: Codable, Hashable, Sendable {
    public var role: String
    public var guarantees: [String: Double]
    public var limits: [String: Double]

    public init(role: String, guarantees: [String: Double], limits: [String: Double]) {
        self.role = role
        self.guarantees = guarantees
        self.limits = limits
    }
}
