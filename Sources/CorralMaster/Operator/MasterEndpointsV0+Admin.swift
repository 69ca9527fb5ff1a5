import CorralModel

/// The v0 endpoints for flags, roles, weights, quota and maintenance, in Mesos's shapes
/// (`src/master/http.cpp`, `docs/endpoints/master/`), built from the operator API's views.
extension MasterEndpointsV0 {
    /// `GET /master/flags`: `{"flags": {"name": "value", …}}`.
    static func flags(_ config: MasterConfig) -> JSONValue {
        ["flags": .object(Dictionary(OperatorInfo.flags(config).map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { _, last in last }))]
    }

    /// `GET /master/roles`: `{"roles": [...]}`, each role with its weight, quota, what its
    /// tasks hold (`allocated`, also as the older `resources`), what it is offered and its
    /// frameworks — resources as v0 name → quantity objects.
    static func roles(_ snapshot: OperatorSnapshot) -> JSONValue {
        let registry = snapshot.registry
        let roles = OperatorState.roleUsage(snapshot).map { usage -> JSONValue in
            let (name, allocated, offered) = (usage.name, usage.allocated, usage.offered)
            let quota = registry.quotas[name]
            var quotaView: JSONValue = ["role": .string(name), "consumed": MesosV0JSON.resources(allocated)]
            quotaView["guarantee"] = .object((quota?.guarantees ?? [:]).mapValues(JSONValue.number))
            quotaView["limit"] = .object((quota?.limits ?? [:]).mapValues(JSONValue.number))
            return [
                "name": .string(name),
                "weight": .number(registry.weights[name] ?? 1),
                "resources": MesosV0JSON.resources(allocated),
                "allocated": MesosV0JSON.resources(allocated),
                "offered": MesosV0JSON.resources(offered),
                "reserved": [:],
                "quota": quotaView,
                "frameworks": .array(usage.frameworks.map { .string($0.value) }),
            ]
        }
        return ["roles": .array(roles)]
    }

    /// `GET /master/weights`: a JSON array of `{"role", "weight"}` (roles left at 1 are not listed).
    static func weights(_ snapshot: OperatorSnapshot) -> JSONValue {
        OperatorState.getWeights(snapshot)["weight_infos"] ?? []
    }

    /// `GET /master/quota`: `quota.QuotaStatus` (`infos` and `configs`).
    static func quota(_ snapshot: OperatorSnapshot) -> JSONValue {
        OperatorState.getQuota(snapshot)["status"] ?? ["infos": [], "configs": []]
    }

    /// `GET /master/maintenance/schedule`: `maintenance.Schedule`.
    static func maintenanceSchedule(_ snapshot: OperatorSnapshot) -> JSONValue {
        OperatorViews.encode(snapshot.registry.maintenance)
    }

    /// `GET /master/maintenance/status`: `maintenance.ClusterStatus`. Scheduled machines are
    /// draining until START_MAINTENANCE takes them down; each draining machine's `statuses`
    /// are the frameworks' answers to its inverse offers (UNKNOWN while unanswered).
    static func maintenanceStatus(_ snapshot: OperatorSnapshot) -> JSONValue {
        func id(_ machine: MaintenanceSchedule.MachineID) -> JSONValue {
            var id: JSONValue = [:]
            if let hostname = machine.hostname, !hostname.isEmpty { id["hostname"] = .string(hostname) }
            if let ip = machine.ip, !ip.isEmpty { id["ip"] = .string(ip) }
            return id
        }
        let down = snapshot.registry.downMachines
        let machines = snapshot.registry.maintenance.windows.flatMap(\.machineIDs)
        let draining = machines.filter { !down.contains($0.normalized) }.map { machine -> JSONValue in
            let statuses = (snapshot.inverseOfferStatuses[machine.normalized] ?? [:]).values.sorted { $0.frameworkID < $1.frameworkID }
            return ["id": id(machine), "statuses": .array(statuses.map { OperatorViews.encode($0) })]
        }
        let downMachines = machines.filter { down.contains($0.normalized) }.map(id)
        return ["draining_machines": .array(draining), "down_machines": .array(downMachines)]
    }
}
