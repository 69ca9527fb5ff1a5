import CorralModel

/// An operator API call (`master.proto` `Call`): `{"type": "...", "<lowercased type>": {...}}`.
/// Only the payloads of the calls Corral serves are read; others are ignored.
struct OperatorCall: Decodable, Sendable {
    /// The calls Corral serves.
    enum Kind: String, CaseIterable, Sendable {
        case getHealth = "GET_HEALTH"
        case getFlags = "GET_FLAGS"
        case getVersion = "GET_VERSION"
        case getMetrics = "GET_METRICS"
        case getState = "GET_STATE"
        case getAgents = "GET_AGENTS"
        case getFrameworks = "GET_FRAMEWORKS"
        case getExecutors = "GET_EXECUTORS"
        case getTasks = "GET_TASKS"
        case getRoles = "GET_ROLES"
        case getWeights = "GET_WEIGHTS"
        case updateWeights = "UPDATE_WEIGHTS"
        case getMaster = "GET_MASTER"
        case subscribe = "SUBSCRIBE"
        case getMaintenanceSchedule = "GET_MAINTENANCE_SCHEDULE"
        case updateMaintenanceSchedule = "UPDATE_MAINTENANCE_SCHEDULE"
        case getQuota = "GET_QUOTA"
        case updateQuota = "UPDATE_QUOTA"
        case removeQuota = "REMOVE_QUOTA"
        case teardown = "TEARDOWN"
        case markAgentGone = "MARK_AGENT_GONE"
        case getLoggingLevel = "GET_LOGGING_LEVEL"
        case setLoggingLevel = "SET_LOGGING_LEVEL"
        case getMaintenanceStatus = "GET_MAINTENANCE_STATUS"
        /// Corral's own call (Mesos 1.11's master API has no way for an operator to kill one
        /// task): `{"type": "KILL_TASK", "kill_task": {"task_id": {...}, "framework_id": {...}}}`.
        case killTask = "KILL_TASK"
        case drainAgent = "DRAIN_AGENT"
        case deactivateAgent = "DEACTIVATE_AGENT"
        case reactivateAgent = "REACTIVATE_AGENT"
        case reserveResources = "RESERVE_RESOURCES"
        case unreserveResources = "UNRESERVE_RESOURCES"
        case createVolumes = "CREATE_VOLUMES"
        case destroyVolumes = "DESTROY_VOLUMES"
        case growVolume = "GROW_VOLUME"
        case shrinkVolume = "SHRINK_VOLUME"
        case startMaintenance = "START_MAINTENANCE"
        case stopMaintenance = "STOP_MAINTENANCE"
        /// Operations whose status their framework has not acknowledged; none is ever pending
        /// on an agent: Corral's operations (RESERVE, UNRESERVE, CREATE, DESTROY, GROW_VOLUME,
        /// SHRINK_VOLUME) take effect when their ACCEPT or operator call is committed.
        case getOperations = "GET_OPERATIONS"

        /// The calls that change the registry and answer 202 with no body.
        var isMutating: Bool {
            [
                .updateWeights, .updateMaintenanceSchedule, .updateQuota, .removeQuota, .teardown, .markAgentGone,
                .reserveResources, .unreserveResources, .deactivateAgent, .reactivateAgent, .drainAgent,
                .startMaintenance, .stopMaintenance, .createVolumes, .destroyVolumes, .growVolume, .shrinkVolume,
            ].contains(self)
        }

        /// Whether the call reads the registry (and so must be answered linearizably).
        var readsRegistry: Bool {
            [.getState, .getAgents, .getFrameworks, .getExecutors, .getTasks, .getRoles, .getWeights, .getQuota,
             .getMaintenanceSchedule, .getMaintenanceStatus, .getOperations].contains(self)
        }

        /// The key of the call's payload and of the response's, e.g. `get_health`.
        var field: String { rawValue.lowercased() }
    }

    /// Calls of Mesos 1.11 that Corral does not serve (answered 400, saying so).
    static let unsupported: Set<String> = [
        "LIST_FILES", "READ_FILE",
        "SET_QUOTA", "UPDATE_QUOTA_CONFIGS", "MARK_RESOURCE_PROVIDER_GONE",
        "ADD_RESOURCE_PROVIDER_CONFIG", "UPDATE_RESOURCE_PROVIDER_CONFIG", "REMOVE_RESOURCE_PROVIDER_CONFIG", "PRUNE_IMAGES",
    ]

    struct WeightInfo: Decodable, Sendable {
        var role: String?
        var weight: Double
    }

    struct UpdateWeights: Decodable, Sendable {
        var weightInfos: [WeightInfo]?
        enum CodingKeys: String, CodingKey { case weightInfos = "weight_infos" }
    }

    /// `quota.QuotaConfig`: quantities by resource name, as `{"value": n}` (Mesos) or a bare number.
    struct QuotaConfig: Decodable, Sendable {
        var role: String
        var guarantees: [String: QuotaValue]?
        var limits: [String: QuotaValue]?
    }

    struct QuotaValue: Decodable, Sendable {
        var value: Double

        private struct Wrapped: Decodable { var value: Double }

        init(from decoder: any Decoder) throws {
            if let bare = try? decoder.singleValueContainer().decode(Double.self) {
                value = bare
            } else {
                value = try Wrapped(from: decoder).value
            }
        }
    }

    struct UpdateQuota: Decodable, Sendable {
        var force: Bool?
        var quotaConfigs: [QuotaConfig]?
        enum CodingKeys: String, CodingKey {
            case force
            case quotaConfigs = "quota_configs"
        }
    }

    struct RemoveQuota: Decodable, Sendable { var role: String }

    struct UpdateMaintenanceSchedule: Decodable, Sendable { var schedule: MaintenanceSchedule }

    struct Teardown: Decodable, Sendable {
        var frameworkID: FrameworkID
        enum CodingKeys: String, CodingKey { case frameworkID = "framework_id" }
    }

    /// START_MAINTENANCE's and STOP_MAINTENANCE's `{"machines": [MachineID]}`.
    struct Machines: Decodable, Sendable {
        var machines: [MaintenanceSchedule.MachineID]?
    }

    struct MarkAgentGone: Decodable, Sendable {
        var agentID: AgentID
        enum CodingKeys: String, CodingKey { case agentID = "agent_id" }
    }

    /// `SET_LOGGING_LEVEL`: a glog verbosity and how long to hold it.
    struct SetLoggingLevel: Decodable, Sendable {
        struct DurationInfo: Decodable, Sendable { var nanoseconds: Int64 }
        var level: UInt32
        var duration: DurationInfo
    }

    /// `KILL_TASK` (Corral): the framework may be left out when one live task has that ID.
    struct KillTask: Decodable, Sendable {
        var taskID: TaskID
        var frameworkID: FrameworkID?
        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case frameworkID = "framework_id"
        }
    }

    /// `RESERVE_RESOURCES`: `{"agent_id", "source"?, "resources"}`; the resources as reserved.
    struct ReserveResources: Decodable, Sendable {
        var agentID: AgentID
        var source: [Resource]?
        var resources: [Resource]?
        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case source, resources
        }
    }

    /// `DRAIN_AGENT`: `{"agent_id", "max_grace_period"?, "mark_gone"?}`.
    struct DrainAgent: Decodable, Sendable {
        var agentID: AgentID
        var maxGracePeriod: DurationInfo?
        var markGone: Bool?
        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case maxGracePeriod = "max_grace_period"
            case markGone = "mark_gone"
        }
    }

    /// `UNRESERVE_RESOURCES`: `{"agent_id", "resources"}`; the reserved resources to free.
    struct UnreserveResources: Decodable, Sendable {
        var agentID: AgentID
        var resources: [Resource]?
        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case resources
        }
    }

    /// `CREATE_VOLUMES` and `DESTROY_VOLUMES`: `{"agent_id", "volumes"}`.
    struct Volumes: Decodable, Sendable {
        var agentID: AgentID
        var volumes: [Resource]?
        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case volumes
        }
    }

    /// `GROW_VOLUME`: `{"agent_id", "volume", "addition"}`; `SHRINK_VOLUME`: `{"agent_id",
    /// "volume", "subtract"}`.
    struct ResizeVolume: Decodable, Sendable {
        var agentID: AgentID?
        var volume: Resource
        var addition: Resource?
        var subtract: Scalar?
        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case volume, addition, subtract
        }
    }

    var type: String?
    var setLoggingLevel: SetLoggingLevel?
    var reserveResources: ReserveResources?
    var drainAgent: DrainAgent?
    var deactivateAgent: MarkAgentGone?
    var reactivateAgent: MarkAgentGone?
    var unreserveResources: UnreserveResources?
    var killTask: KillTask?
    var updateWeights: UpdateWeights?
    var updateQuota: UpdateQuota?
    var removeQuota: RemoveQuota?
    var updateMaintenanceSchedule: UpdateMaintenanceSchedule?
    var teardown: Teardown?
    var markAgentGone: MarkAgentGone?
    var startMaintenance: Machines?
    var stopMaintenance: Machines?
    var createVolumes: Volumes?
    var destroyVolumes: Volumes?
    var growVolume: ResizeVolume?
    var shrinkVolume: ResizeVolume?

    enum CodingKeys: String, CodingKey {
        case type
        case setLoggingLevel = "set_logging_level"
        case killTask = "kill_task"
        case updateWeights = "update_weights"
        case updateQuota = "update_quota"
        case removeQuota = "remove_quota"
        case updateMaintenanceSchedule = "update_maintenance_schedule"
        case teardown
        case markAgentGone = "mark_agent_gone"
        case startMaintenance = "start_maintenance"
        case stopMaintenance = "stop_maintenance"
        case reserveResources = "reserve_resources"
        case drainAgent = "drain_agent"
        case deactivateAgent = "deactivate_agent"
        case reactivateAgent = "reactivate_agent"
        case unreserveResources = "unreserve_resources"
        case createVolumes = "create_volumes"
        case destroyVolumes = "destroy_volumes"
        case growVolume = "grow_volume"
        case shrinkVolume = "shrink_volume"
    }

    /// The agent whose resources a RESERVE_RESOURCES, UNRESERVE_RESOURCES or volume call
    /// reshapes.
    var reshapedAgent: AgentID? {
        reserveResources?.agentID ?? unreserveResources?.agentID ?? createVolumes?.agentID ?? destroyVolumes?.agentID
            ?? growVolume?.agentID ?? shrinkVolume?.agentID
    }
}

// MARK: - Validation

extension OperatorCall {
    /// The registry command a mutating call asks for, checked as Mesos checks it; the
    /// returned closure takes the leader's time.
    func command(for kind: Kind) throws(MasterError) -> @Sendable (UInt64) -> RegistryCommand {
        switch kind {
        case .updateWeights:
            let weights = try validatedWeights()
            return { _ in .updateWeights(weights) }
        case .updateQuota:
            let records = try validatedQuota()
            return { _ in .updateQuota(records) }
        case .removeQuota:
            guard let role = removeQuota?.role else { throw Self.missing(kind) }
            try Self.checkRole(role)
            return { _ in .removeQuota(role: role) }
        case .updateMaintenanceSchedule:
            guard let schedule = updateMaintenanceSchedule?.schedule else { throw Self.missing(kind) }
            try Self.check(schedule)
            return { _ in .updateMaintenance(schedule) }
        case .teardown:
            guard let id = teardown?.frameworkID else { throw Self.missing(kind) }
            return { at in .removeFramework(id: id, atNanos: at) }
        case .markAgentGone:
            guard let id = markAgentGone?.agentID else { throw Self.missing(kind) }
            return { at in .markAgentGone(id: id, atNanos: at) }
        case .startMaintenance, .stopMaintenance:
            let starting = kind == .startMaintenance
            guard let machines = (starting ? startMaintenance : stopMaintenance)?.machines, !machines.isEmpty else {
                throw MasterError(code: .request, message: "\(kind.field).machines must list at least one machine")
            }
            return { at in starting ? .startMaintenance(machines: machines, atNanos: at) : .stopMaintenance(machines: machines, atNanos: at) }
        case .drainAgent:
            guard let call = drainAgent else { throw Self.missing(kind) }
            if let grace = call.maxGracePeriod?.nanoseconds, grace < 0 {
                throw MasterError(code: .request, message: "drain_agent.max_grace_period must not be negative")
            }
            let grace = call.maxGracePeriod?.nanoseconds
            let markGone = call.markGone ?? false
            return { at in .drainAgent(id: call.agentID, maxGraceNanos: grace, markGone: markGone, atNanos: at) }
        case .deactivateAgent, .reactivateAgent:
            let deactivating = kind == .deactivateAgent
            guard let id = (deactivating ? deactivateAgent : reactivateAgent)?.agentID else { throw Self.missing(kind) }
            return { at in .deactivateAgent(id: id, deactivated: deactivating, atNanos: at) }
        case .reserveResources:
            guard let call = reserveResources else { throw Self.missing(kind) }
            let resources = try Self.dynamicallyReserved(call.resources, kind)
            if let source = call.source, !source.isEmpty,
                Resources(source).unallocated != Resources(resources.compactMap(\.beforeDynamicReservation))
            {
                throw MasterError(
                    code: .request,
                    message: "\"source\" must be the resources as they are before the reservation, or be left out")
            }
            return { at in .reserve(agentID: call.agentID, resources: resources, atNanos: at) }
        case .unreserveResources:
            guard let call = unreserveResources else { throw Self.missing(kind) }
            let resources = try Self.dynamicallyReserved(call.resources, kind)
            return { at in .unreserve(agentID: call.agentID, resources: resources, atNanos: at) }
        case .createVolumes, .destroyVolumes:
            let creating = kind == .createVolumes
            guard let call = creating ? createVolumes : destroyVolumes else { throw Self.missing(kind) }
            guard let volumes = call.volumes, !volumes.isEmpty else {
                throw MasterError(code: .request, message: "\(kind.field).volumes must name at least one volume")
            }
            for volume in volumes.map(\.refined) {
                if creating, let problem = Registry.volumeProblem(volume) { throw MasterError(code: .request, message: problem) }
                if !creating && !volume.isPersistentVolume {
                    throw MasterError(code: .request, message: "\(Resources([volume])) is not a persistent volume (no disk.persistence.id)")
                }
            }
            return { at in
                creating
                    ? .createVolumes(agentID: call.agentID, volumes: volumes, atNanos: at)
                    : .destroyVolumes(agentID: call.agentID, volumes: volumes, atNanos: at)
            }
        case .growVolume, .shrinkVolume:
            let growing = kind == .growVolume
            guard let call = growing ? growVolume : shrinkVolume else { throw Self.missing(kind) }
            guard let agentID = call.agentID else {
                throw MasterError(code: .request, message: "\(kind.field).agent_id is required: name the volume's agent")
            }
            guard call.volume.isPersistentVolume else {
                throw MasterError(code: .request, message: "\(kind.field).volume is not a persistent volume (no disk.persistence.id)")
            }
            if growing {
                guard let addition = call.addition else { throw MasterError(code: .request, message: "grow_volume.addition is required") }
                return { at in .growVolume(agentID: agentID, volume: call.volume, addition: addition, atNanos: at) }
            }
            guard let subtract = call.subtract else { throw MasterError(code: .request, message: "shrink_volume.subtract is required") }
            return { at in .shrinkVolume(agentID: agentID, volume: call.volume, subtract: subtract, atNanos: at) }
        default:
            throw MasterError(code: .request, message: "\(kind.rawValue) does not change the registry")
        }
    }

    /// The resources of a RESERVE_RESOURCES or UNRESERVE_RESOURCES: at least one, each with a
    /// dynamic reservation for a valid role on top of its stack.
    private static func dynamicallyReserved(_ resources: [Resource]?, _ kind: Kind) throws(MasterError) -> [Resource] {
        guard let resources, !resources.isEmpty else {
            throw MasterError(code: .request, message: "\(kind.field).resources must name at least one resource")
        }
        for resource in resources.map(\.refined) {
            guard resource.beforeDynamicReservation != nil, let role = resource.reservations.last?.role else {
                throw MasterError(
                    code: .request,
                    message: "\(Resources([resource])) must carry a dynamic reservation (type DYNAMIC, with a role) "
                        + "on top of its \"reservations\"")
            }
            try checkRole(role)
        }
        return resources
    }

    private func validatedWeights() throws(MasterError) -> [String: Double] {
        guard let infos = updateWeights?.weightInfos, !infos.isEmpty else { throw Self.missing(.updateWeights) }
        var weights: [String: Double] = [:]
        for info in infos {
            guard let role = info.role else { throw MasterError(code: .request, message: "a weight_info has no role") }
            try Self.checkRole(role)
            guard info.weight.isFinite, info.weight > 0 else {
                throw MasterError(code: .request, message: "the weight of role \"\(role)\" must be positive, not \(info.weight)")
            }
            weights[role] = info.weight
        }
        return weights
    }

    private func validatedQuota() throws(MasterError) -> [QuotaRecord] {
        guard let configs = updateQuota?.quotaConfigs, !configs.isEmpty else { throw Self.missing(.updateQuota) }
        var seen: Set<String> = []
        var records: [QuotaRecord] = []
        for config in configs {
            try Self.checkRole(config.role)
            guard seen.insert(config.role).inserted else {
                throw MasterError(code: .request, message: "role \"\(config.role)\" appears twice in quota_configs")
            }
            let guarantees = (config.guarantees ?? [:]).mapValues(\.value)
            let limits = (config.limits ?? [:]).mapValues(\.value)
            if guarantees.keys.contains("") || limits.keys.contains("") {
                throw MasterError(code: .request, message: "the quota of role \"\(config.role)\" has a resource with no name")
            }
            for (name, value) in Array(guarantees) + Array(limits) where !(value.isFinite && value >= 0) {
                throw MasterError(code: .request, message: "the quota of \(name) for role \"\(config.role)\" must be a non-negative number")
            }
            for (name, guarantee) in guarantees {
                if let limit = limits[name], guarantee > limit {
                    throw MasterError(
                        code: .request,
                        message: "role \"\(config.role)\": the guarantee of \(name) (\(guarantee)) exceeds its limit (\(limit))")
                }
            }
            records.append(QuotaRecord(role: config.role, guarantees: guarantees, limits: limits))
        }
        return records
    }

    /// The registry's checks of a schedule (`MaintenanceSchedule.problem(down:)`, which also
    /// refuses dropping a down machine, when the command is applied), and no negative duration.
    private static func check(_ schedule: MaintenanceSchedule) throws(MasterError) {
        if let problem = schedule.problem(down: []) { throw MasterError(code: .request, message: problem) }
        for window in schedule.windows {
            if let duration = window.unavailability.duration, duration.nanoseconds < 0 {
                throw MasterError(code: .request, message: "a maintenance window has a negative duration")
            }
        }
    }

    private static func checkRole(_ role: String) throws(MasterError) {
        guard LeaderStateMachine.isValidRole(role) else {
            throw MasterError(code: .request, message: "role \"\(role)\" is not a valid role name")
        }
    }

    private static func missing(_ kind: Kind) -> MasterError {
        MasterError(code: .request, message: "the call's \"\(kind.field)\" field is missing or empty")
    }
}
