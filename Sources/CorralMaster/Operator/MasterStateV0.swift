import CorralModel

/// `GET /master/state`: the v0 JSON that tools and web UIs read, with Mesos's field names
/// (`slaves`, `used_resources`, resources as `{"cpus": 1, "ports": "[31000-32000]"}`).
enum MasterStateV0 {
    static func state(_ snapshot: OperatorSnapshot) -> JSONValue {
        let registry = snapshot.registry
        let agents = registry.agents.values.sorted { $0.id < $1.id }
        let active = agents.filter(\.isActive)
        let connected = active.filter { snapshot.connectedAgents.contains($0.id) }
        let unreachable = agents.filter { if case .unreachable = $0.state { true } else { false } }
        let flags = OperatorInfo.flags(snapshot.config)
        return [
            "version": .string(CorralVersion.mesosCompatible),
            "build_user": "corral",
            "start_time": .number(snapshot.startTime),
            "id": .string(snapshot.masterInfo.id),
            "pid": .string(snapshot.pid),
            "hostname": .string(snapshot.config.httpListen.host),
            "activated_slaves": .number(Double(connected.count)),
            "deactivated_slaves": .number(Double(active.count - connected.count)),
            "unreachable_slaves": .number(Double(unreachable.count)),
            "cluster": .string(snapshot.config.clusterID),
            "leader": .string(snapshot.pid),
            "leader_info": OperatorViews.encode(snapshot.masterInfo),
            "flags": .object(Dictionary(flags.map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { _, last in last })),
            "slaves": .array(active.map { slave($0, snapshot) }),
            "frameworks": .array(registry.liveFrameworks.map { framework($0, snapshot) }),
            "completed_frameworks": .array(
                registry.completedFrameworks.values.sorted { $0.id < $1.id }.map { framework($0, snapshot) }),
            "orphan_tasks": [],
            "unregistered_frameworks": [],
        ]
    }

    static func slave(_ agent: AgentRecord, _ snapshot: OperatorSnapshot) -> JSONValue {
        let used = snapshot.registry.allocated(onAgent: agent.id)
        return [
            "id": .string(agent.id.value),
            "pid": .string(snapshot.agentPID(agent)),
            "hostname": .string(agent.info.hostname),
            "port": .number(Double(agent.info.effectivePort)),
            "registered_time": .number(Double(agent.registeredAtNanos) / 1e9),
            "resources": resources(agent.total),
            "used_resources": resources(used),
            "offered_resources": resources(snapshot.offered(onAgent: agent.id)),
            "unreserved_resources": resources(agent.total.unreserved),
            "reserved_resources": MesosV0JSON.reservedByRole(agent.total),
            "attributes": MesosV0JSON.attributes(agent.info.attributes),
            "active": .bool(snapshot.connectedAgents.contains(agent.id) && !agent.deactivated),
            "version": .string(CorralVersion.mesosCompatible),
        ]
    }

    static func framework(_ record: FrameworkRecord, _ snapshot: OperatorSnapshot) -> JSONValue {
        let registry = snapshot.registry
        let info = record.info
        let live = registry.tasks(of: record.id)
        let completed = registry.completedTasks.sorted { $0.key < $1.key }.map(\.value).filter { $0.key.frameworkID == record.id }
        let used = snapshot.allocated(toFramework: record.id)
        let offered = snapshot.offered(toFramework: record.id)
        var view: JSONValue = [
            "id": .string(record.id.value),
            "name": .string(info.name),
            "user": .string(info.user),
            "hostname": .string(info.hostname ?? ""),
            "webui_url": .string(info.webuiURL ?? ""),
            "principal": info.principal.map(JSONValue.string) ?? .null,
            "failover_timeout": .number(info.failoverTimeoutSeconds ?? 0),
            "checkpoint": .bool(info.checkpoint ?? false),
            "capabilities": .array(info.capabilities.compactMap { $0.type.map { .string($0.rawValue) } }),
            "active": .bool(record.state == .active),
            "connected": .bool(snapshot.connectedFrameworks.contains(record.id)),
            "recovered": false,
            "registered_time": .number(Double(record.registeredAtNanos) / 1e9),
            "used_resources": resources(used),
            "offered_resources": resources(offered),
            "resources": resources(used + offered),
            "tasks": .array(live.filter { $0.state != .unreachable }.map(task)),
            "unreachable_tasks": .array(live.filter { $0.state == .unreachable }.map(task)),
            "completed_tasks": .array(completed.map(task)),
            "offers": .array(snapshot.offers(of: record.id).map(offer)),
            "executors": .array(executors(of: live)),
        ]
        if info.roles.isEmpty { view["role"] = .string(info.role ?? "*") } else { view["roles"] = .array(info.roles.map(JSONValue.string)) }
        switch record.state {
        case .active: break
        case .disconnected(let since, _): view["unregistered_time"] = .number(Double(since) / 1e9)
        case .removed(let at): view["unregistered_time"] = .number(Double(at) / 1e9)
        }
        if let labels = info.labels { view["labels"] = OperatorViews.encode(labels.labels) }
        return view
    }

    /// The executors of a framework's live tasks, one per agent and executor ID, as Mesos
    /// writes `ExecutorInfo` with the agent's `slave_id` (command tasks have none to list).
    static func executors(of tasks: [TaskRecord]) -> [JSONValue] {
        var seen: Set<[String]> = []
        var views: [JSONValue] = []
        for task in tasks.sorted(by: { $0.key < $1.key }) where !task.isTerminal {
            guard let executor = task.executor ?? task.info.executor else { continue }
            guard seen.insert([task.agentID.value, executor.executorID.value]).inserted else { continue }
            var view: JSONValue = [
                "executor_id": .string(executor.executorID.value),
                "name": .string(executor.name ?? ""),
                "framework_id": .string((executor.frameworkID ?? task.key.frameworkID).value),
                "command": executor.command.map(OperatorViews.encode) ?? [:],
                "resources": resources(executor.resources),
                "slave_id": .string(task.agentID.value),
            ]
            if let type = executor.type { view["type"] = .string(type.rawValue) }
            if let labels = executor.labels { view["labels"] = OperatorViews.encode(labels.labels) }
            if let container = executor.container { view["container"] = OperatorViews.encode(container) }
            views.append(view)
        }
        return views
    }

    static func task(_ task: TaskRecord) -> JSONValue {
        var status: JSONValue = ["state": .string(task.status.state.rawValue)]
        if let timestamp = task.status.timestamp { status["timestamp"] = .number(timestamp) }
        if let container = task.status.containerStatus { status["container_status"] = OperatorViews.encode(container) }
        // Mesos lists every status; the registry keeps the latest, and the launch (STAGING at
        // `launchedAtNanos`) is known too, so clients can tell a task's age.
        // As in Mesos, once the task has a container every status names it: mesos-cli's `task
        // attach` reads the container ID from `statuses[0]`.
        var statuses: [JSONValue] = [status]
        if task.status.state != .staging {
            var launch: JSONValue = [
                "state": .string(TaskState.staging.rawValue), "timestamp": .number(Double(task.launchedAtNanos) / 1e9),
            ]
            if let container = status["container_status"] { launch["container_status"] = container }
            statuses.insert(launch, at: 0)
        }
        var view: JSONValue = [
            "id": .string(task.key.taskID.value),
            "name": .string(task.info.name),
            "framework_id": .string(task.key.frameworkID.value),
            "executor_id": .string((task.executor ?? task.info.executor)?.executorID.value ?? ""),
            "slave_id": .string(task.agentID.value),
            "state": .string(task.state.rawValue),
            "resources": resources(task.info.resources),
            "role": .string(task.role),
            "statuses": .array(statuses),
        ]
        if let labels = task.info.labels { view["labels"] = OperatorViews.encode(labels.labels) }
        if let container = task.info.container { view["container"] = OperatorViews.encode(container) }
        if let discovery = task.info.discovery { view["discovery"] = OperatorViews.encode(discovery) }
        return view
    }

    static func offer(_ offer: Offer) -> JSONValue {
        [
            "id": .string(offer.id.value), "framework_id": .string(offer.frameworkID.value),
            "slave_id": .string(offer.agentID.value), "resources": resources(offer.resources),
        ]
    }

    // MARK: - Values

    /// Resources summed by name as Mesos's v0 JSON writes them (see `MesosV0JSON`).
    static func resources(_ resources: some Sequence<Resource>) -> JSONValue { MesosV0JSON.resources(resources) }
}
