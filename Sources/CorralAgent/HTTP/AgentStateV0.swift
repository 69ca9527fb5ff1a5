import CorralModel

/// `GET /state`: the agent's state in Mesos's v0 JSON (`slave/http.cpp`), which tools and web
/// UIs read: `frameworks[].executors[]` with each executor's `directory` and `tasks[]`, and
/// what ended: `completed_frameworks`, `completed_executors` and `completed_tasks`, bounded as
/// mesos-agent bounds them (`CompletedHistory`).
enum AgentStateV0 {
    static func state(_ view: AgentView) -> JSONValue {
        var state: JSONValue = [
            "version": .string(CorralVersion.mesosCompatible),
            "corral_version": .string(CorralVersion.corral),
            "build_user": "corral",
            "start_time": .number(view.startTime.timeIntervalSince1970),
            "id": .string(view.agentID),
            "pid": .string(pid(view)),
            "hostname": .string(view.info.hostname),
            "capabilities": [],
            "resources": MesosV0JSON.resources(view.totalResources),
            "reserved_resources": MesosV0JSON.reservedByRole(view.totalResources),
            "unreserved_resources": MesosV0JSON.resources(view.totalResources.unreserved),
            "reserved_resources_allocated": MesosV0JSON.reservedByRole(view.usedResources),
            "unreserved_resources_allocated": MesosV0JSON.resources(view.usedResources.unreserved),
            "resource_providers": [],
            "attributes": MesosV0JSON.attributes(view.info.attributes),
            "flags": flags(view),
            "frameworks": .array(view.frameworks.map { framework($0, view) }),
            "completed_frameworks": .array(view.completedFrameworks.map { framework($0, view) }),
        ]
        if let master = view.master { state["master_hostname"] = .string(master.host) }
        return state
    }

    /// The settings as `{"name": "value"}`.
    static func flags(_ view: AgentView) -> JSONValue {
        .object(Dictionary(view.flags.map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { _, last in last }))
    }

    /// `slave(1)@host:port`, with the hostname for a wildcard listen address.
    static func pid(_ view: AgentView) -> String {
        let host = ["0.0.0.0", "::", ""].contains(view.address.host) ? view.info.hostname : view.address.host
        return "slave(1)@\(ListenAddress(host: host, port: view.address.port))"
    }

    static func framework(_ framework: AgentView.Framework, _ view: AgentView) -> JSONValue {
        let info = framework.info
        var json: JSONValue = [
            "id": .string(framework.id.value),
            "name": .string(info.name),
            "user": .string(info.user),
            "failover_timeout": .number(info.failoverTimeoutSeconds ?? 0),
            "checkpoint": .bool(info.checkpoint ?? false),
            "hostname": .string(info.hostname ?? ""),
            "executors": .array(framework.executors.filter(\.isLive).map { executor($0, view) }),
            "completed_executors": .array(framework.executors.filter { !$0.isLive }.map { executor($0, view) }),
        ]
        if let principal = info.principal { json["principal"] = .string(principal) }
        if info.roles.isEmpty { json["role"] = .string(info.role ?? "*") } else { json["roles"] = .array(info.roles.map(JSONValue.string)) }
        return json
    }

    static func executor(_ executor: AgentView.Executor, _ view: AgentView) -> JSONValue {
        var json: JSONValue = [
            "id": .string(executor.info.executorID.value),
            "name": .string(executor.info.name ?? ""),
            "source": .string(executor.isCommandExecutor ? executor.info.executorID.value : ""),
            "container": .string(executor.containerID?.value ?? ""),
            "directory": .string(executor.directory),
            "resources": MesosV0JSON.resources(executor.resources),
            "tasks": .array(executor.tasks.map { task($0, view) }),
            "queued_tasks": [],
            // As mesos-agent: the terminated tasks (end not yet acknowledged), then the completed.
            "completed_tasks": .array((executor.terminatedTasks + executor.completedTasks).map { task($0, view) }),
        ]
        if let role = executor.info.resources.first?.allocationInfo?.role { json["role"] = .string(role) }
        if let labels = executor.info.labels { json["labels"] = JSONValue.from(labels.labels) }
        if let type = executor.info.type { json["type"] = .string(type.rawValue) }
        return json
    }

    static func task(_ task: AgentView.Task, _ view: AgentView) -> JSONValue {
        let info = task.launch?.task
        let explicitExecutor = task.launch?.executor ?? info?.executor
        var json: JSONValue = [
            "id": .string(task.key.taskID.value),
            "name": .string(task.name),
            "framework_id": .string(task.key.frameworkID.value),
            "executor_id": .string(explicitExecutor?.executorID.value ?? ""),
            "slave_id": .string(view.agentID),
            "state": .string(task.state.rawValue),
            "resources": MesosV0JSON.resources(task.resources),
            "role": .string(role(task)),
            "statuses": .array(task.statuses.map(status)),
        ]
        if let user = info?.command?.user { json["user"] = .string(user) }
        if let labels = info?.labels { json["labels"] = JSONValue.from(labels.labels) }
        if let discovery = info?.discovery { json["discovery"] = JSONValue.from(discovery) }
        if let container = info?.container { json["container"] = JSONValue.from(container) }
        if let check = info?.healthCheck { json["health_check"] = JSONValue.from(check) }
        return json
    }

    /// A status as the v0 endpoints write it: state, timestamp and the container's status.
    static func status(_ status: TaskStatus) -> JSONValue {
        var json: JSONValue = ["state": .string(status.state.rawValue), "timestamp": .number(status.timestamp ?? 0)]
        if let labels = status.labels { json["labels"] = JSONValue.from(labels.labels) }
        if let container = status.containerStatus { json["container_status"] = JSONValue.from(container) }
        if let healthy = status.healthy { json["healthy"] = .bool(healthy) }
        return json
    }

    /// The role the task's resources are allocated to, else its framework's, else `*`.
    static func role(_ task: AgentView.Task) -> String {
        task.resources.lazy.compactMap { $0.allocationInfo?.role ?? $0.role }.first
            ?? task.launch?.frameworkInfo?.effectiveRoles.first ?? "*"
    }
}
