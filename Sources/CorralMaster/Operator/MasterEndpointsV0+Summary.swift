import CorralModel

extension MasterEndpointsV0 {
    /// `GET /master/state-summary`: the master's hostname and cluster, each agent with its
    /// resources, task counts by state and `framework_ids`, and each framework with its
    /// resources, task counts by state and `slave_ids` (what the Mesos web UI's front page reads).
    static func stateSummary(_ snapshot: OperatorSnapshot) -> JSONValue {
        let registry = snapshot.registry
        let tasks = registry.tasks.values.map { $0 } + registry.completedTasks.values.map { $0 }
        let agents = registry.agents.values.filter(\.isActive).sorted { $0.id < $1.id }.map { agent -> JSONValue in
            let own = tasks.filter { $0.agentID == agent.id }
            var view = MasterStateV0.slave(agent, snapshot)
            for (state, count) in counts(own) { view[state] = count }
            view["framework_ids"] = .array(Set(own.map(\.key.frameworkID.value)).sorted().map(JSONValue.string))
            return view
        }
        let frameworks = registry.liveFrameworks.map { record -> JSONValue in
            let own = tasks.filter { $0.key.frameworkID == record.id }
            let info = record.info
            var view: JSONValue = [
                "id": .string(record.id.value),
                "name": .string(info.name),
                "hostname": .string(info.hostname ?? ""),
                "webui_url": .string(info.webuiURL ?? ""),
                "active": .bool(record.state == .active),
                "connected": .bool(snapshot.connectedFrameworks.contains(record.id)),
                "recovered": false,
                "capabilities": .array(info.capabilities.compactMap { $0.type.map { .string($0.rawValue) } }),
                "used_resources": MesosV0JSON.resources(snapshot.allocated(toFramework: record.id)),
                "offered_resources": MesosV0JSON.resources(snapshot.offered(toFramework: record.id)),
                "slave_ids": .array(Set(own.filter { !$0.isTerminal }.map(\.agentID.value)).sorted().map(JSONValue.string)),
            ]
            for (state, count) in counts(own) { view[state] = count }
            return view
        }
        return [
            "hostname": .string(snapshot.config.httpListen.host),
            "cluster": .string(snapshot.config.clusterID),
            "slaves": .array(agents),
            "frameworks": .array(frameworks),
        ]
    }

    /// How many of `tasks` are in each state, every known state present (0 when none).
    private static func counts(_ tasks: [TaskRecord]) -> [(String, JSONValue)] {
        TaskState.known.map { state in (state.rawValue, .number(Double(tasks.filter { $0.state == state }.count))) }
    }
}
