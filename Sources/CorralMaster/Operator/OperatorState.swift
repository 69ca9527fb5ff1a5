import CorralModel

/// The operator API's answers about the cluster (`master.proto` `Response.Get*`), built from
/// a snapshot of the leader.
enum OperatorState {
    static func getState(_ snapshot: OperatorSnapshot) -> JSONValue {
        [
            "get_tasks": getTasks(snapshot), "get_executors": getExecutors(snapshot),
            "get_frameworks": getFrameworks(snapshot), "get_agents": getAgents(snapshot),
        ]
    }

    /// Live tasks (unreachable ones apart, as Mesos splits them) and finished ones.
    static func getTasks(_ snapshot: OperatorSnapshot) -> JSONValue {
        let live = snapshot.registry.tasks.values.sorted { $0.key < $1.key }
        let completed = snapshot.registry.completedTasks.sorted { $0.key < $1.key }.map(\.value)
        return [
            "pending_tasks": [],
            "tasks": .array(live.filter { $0.state != .unreachable }.map(OperatorViews.task)),
            "unreachable_tasks": .array(live.filter { $0.state == .unreachable }.map(OperatorViews.task)),
            "completed_tasks": .array(completed.map(OperatorViews.task)),
        ]
    }

    /// Executors of the live tasks, one entry per executor and agent.
    static func getExecutors(_ snapshot: OperatorSnapshot) -> JSONValue {
        var seen: Set<[String]> = []
        var executors: [JSONValue] = []
        for task in snapshot.registry.tasks.values.sorted(by: { $0.key < $1.key }) where !task.isTerminal {
            guard var executor = task.executor ?? task.info.executor else { continue }
            executor.frameworkID = executor.frameworkID ?? task.key.frameworkID
            let key = [task.agentID.value, task.key.frameworkID.value, executor.executorID.value]
            guard seen.insert(key).inserted else { continue }
            executors.append(["executor_info": OperatorViews.encode(executor), "agent_id": id(task.agentID.value)])
        }
        return ["executors": .array(executors)]
    }

    static func getFrameworks(_ snapshot: OperatorSnapshot) -> JSONValue {
        let live = snapshot.registry.liveFrameworks.map { framework -> JSONValue in
            var view = OperatorViews.framework(
                framework, connected: snapshot.connectedFrameworks.contains(framework.id),
                allocated: snapshot.allocated(toFramework: framework.id), offered: snapshot.offered(toFramework: framework.id))
            view["offers"] = OperatorViews.encode(snapshot.offers(of: framework.id))
            if let constraints = snapshot.offerConstraints[framework.id] { view["offer_constraints"] = OperatorViews.encode(constraints) }
            if case .disconnected(let since, _) = framework.state { view["unregistered_time"] = OperatorViews.time(since) }
            return view
        }
        let completed = snapshot.registry.completedFrameworks.values.sorted { $0.id < $1.id }.map { OperatorViews.framework($0) }
        return ["frameworks": .array(live), "completed_frameworks": .array(completed)]
    }

    /// Admitted agents that are not unreachable or gone; `active` says whether the agent is
    /// connected to this leader.
    static func getAgents(_ snapshot: OperatorSnapshot) -> JSONValue {
        let registry = snapshot.registry
        let agents = registry.agents.values.filter(\.isActive).sorted { $0.id < $1.id }.map { agent -> JSONValue in
            var view = OperatorViews.agent(
                agent, allocated: registry.allocated(onAgent: agent.id), offered: snapshot.offered(onAgent: agent.id))
            view["active"] = .bool(snapshot.connectedAgents.contains(agent.id))
            view["pid"] = .string(snapshot.agentPID(agent))
            return view
        }
        return ["agents": .array(agents), "recovered_agents": []]
    }

    // MARK: - Roles, weights, quota, maintenance

    /// A role and what it holds: what its live tasks use, what it is offered, its frameworks.
    struct RoleUsage {
        var name: String
        var allocated: Resources
        var offered: Resources
        var frameworks: [FrameworkID]
    }

    /// Every role with a framework, a live task, a weight or a quota, by name.
    static func roleUsage(_ snapshot: OperatorSnapshot) -> [RoleUsage] {
        let registry = snapshot.registry
        var names = Set(registry.weights.keys).union(activeQuotas(registry).map(\.role))
        for framework in registry.liveFrameworks { names.formUnion(framework.info.effectiveRoles) }
        for task in registry.tasks.values where !task.isTerminal { names.insert(task.role) }
        return names.sorted().map { name in
            var allocated = Resources()
            for task in registry.tasks.values where !task.isTerminal && task.role == name { allocated += task.resources }
            return RoleUsage(
                name: name, allocated: allocated,
                offered: Resources(snapshot.offers.filter { $0.allocationInfo?.role == name }.flatMap(\.resources)),
                frameworks: registry.liveFrameworks.filter { $0.info.effectiveRoles.contains(name) }.map(\.id))
        }
    }

    static func getRoles(_ snapshot: OperatorSnapshot) -> JSONValue {
        let registry = snapshot.registry
        let roles = roleUsage(snapshot).map { usage -> JSONValue in
            let (name, allocated, offered) = (usage.name, usage.allocated, usage.offered)
            let frameworks = usage.frameworks.map { id($0.value) }
            var role: JSONValue = [
                "name": .string(name), "weight": .number(registry.weights[name] ?? 1),
                "frameworks": .array(frameworks), "resources": OperatorViews.encode(allocated),
                "allocated": OperatorViews.encode(allocated), "offered": OperatorViews.encode(offered),
            ]
            if let quota = registry.quotas[name], !isDefault(quota) { role["quota"] = quotaConfig(quota) }
            return role
        }
        return ["roles": .array(roles)]
    }

    static func getWeights(_ snapshot: OperatorSnapshot) -> JSONValue {
        let infos = snapshot.registry.weights.sorted { $0.key < $1.key }.map { role, weight -> JSONValue in
            ["role": .string(role), "weight": .number(weight)]
        }
        return ["weight_infos": .array(infos)]
    }

    /// `quota.QuotaStatus`: the 1.9+ `configs`, and the legacy `infos` with the guarantees.
    static func getQuota(_ snapshot: OperatorSnapshot) -> JSONValue {
        let quotas = activeQuotas(snapshot.registry)
        let infos = quotas.filter { !$0.guarantees.isEmpty }.map { quota -> JSONValue in
            let guarantee = quota.guarantees.sorted { $0.key < $1.key }.map { name, value -> JSONValue in
                ["name": .string(name), "type": "SCALAR", "scalar": ["value": .number(value)]]
            }
            return ["role": .string(quota.role), "guarantee": .array(guarantee)]
        }
        return ["status": ["infos": .array(infos), "configs": .array(quotas.map(quotaConfig))]]
    }

    /// GET_OPERATIONS: each offer operation whose status its framework has not acknowledged
    /// yet (Corral applies an operation when its ACCEPT commits it, so none is pending on an
    /// agent; what is left is feedback still owed).
    static func getOperations(_ snapshot: OperatorSnapshot) -> JSONValue {
        let operations = snapshot.registry.frameworks.values.sorted { $0.id < $1.id }.flatMap { record in
            (record.operations ?? []).map { status -> JSONValue in
                var operation: JSONValue = [
                    "framework_id": ["value": .string(record.id.value)],
                    "info": status.operationID.map { ["id": ["value": .string($0.value)]] } ?? [:],
                    "latest_status": OperatorViews.encode(status),
                    "statuses": .array([OperatorViews.encode(status)]),
                ]
                if let agent = status.agentID { operation["agent_id"] = ["value": .string(agent.value)] }
                if let uuid = status.uuid { operation["uuid"] = OperatorViews.encode(uuid) }
                return operation
            }
        }
        return ["operations": .array(operations)]
    }

    static func getMaintenanceSchedule(_ snapshot: OperatorSnapshot) -> JSONValue {
        ["schedule": OperatorViews.encode(snapshot.registry.maintenance)]
    }

    /// `quota.QuotaConfig`, quantities as `{"value": n}`.
    static func quotaConfig(_ quota: QuotaRecord) -> JSONValue {
        func quantities(_ values: [String: Double]) -> JSONValue {
            .object(values.mapValues { ["value": .number($0)] })
        }
        var config: JSONValue = ["role": .string(quota.role)]
        if !quota.guarantees.isEmpty { config["guarantees"] = quantities(quota.guarantees) }
        if !quota.limits.isEmpty { config["limits"] = quantities(quota.limits) }
        return config
    }

    /// Quotas that say something: a config with no guarantees and no limits is the default.
    static func activeQuotas(_ registry: Registry) -> [QuotaRecord] {
        registry.quotas.values.filter { !isDefault($0) }.sorted { $0.role < $1.role }
    }

    static func isDefault(_ quota: QuotaRecord) -> Bool { quota.guarantees.isEmpty && quota.limits.isEmpty }

    static func id(_ value: String) -> JSONValue { ["value": .string(value)] }
}
