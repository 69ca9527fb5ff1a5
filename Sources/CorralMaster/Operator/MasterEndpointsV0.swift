import CorralModel

/// The v0 endpoints Mesos clients read beside `/master/state` (mesos-cli lists agents from
/// `/slaves`, frameworks from `/master/frameworks` and tasks from `/tasks`), with Mesos's
/// keys, built from the same views.
enum MasterEndpointsV0 {
    /// `GET /slaves`, `/master/slaves`.
    static func slaves(_ snapshot: OperatorSnapshot) -> JSONValue {
        let agents = snapshot.registry.agents.values.sorted { $0.id < $1.id }.filter(\.isActive)
        return ["slaves": .array(agents.map { MasterStateV0.slave($0, snapshot) }), "recovered_slaves": []]
    }

    /// `GET /frameworks`, `/master/frameworks`, optionally one `framework_id`.
    static func frameworks(_ snapshot: OperatorSnapshot, frameworkID: String?) -> JSONValue {
        let registry = snapshot.registry
        let wanted: (FrameworkRecord) -> Bool = { frameworkID == nil || $0.id.value == frameworkID }
        return [
            "frameworks": .array(registry.liveFrameworks.filter(wanted).map { MasterStateV0.framework($0, snapshot) }),
            "completed_frameworks": .array(
                registry.completedFrameworks.values.sorted { $0.id < $1.id }.filter(wanted).map { MasterStateV0.framework($0, snapshot) }),
            "unregistered_frameworks": [],
        ]
    }

    /// `GET /tasks`, `/master/tasks`: live and completed tasks, filtered by `framework_id` and
    /// `task_id`, ordered by task key (`order=asc|des`, default des), then `offset` and `limit`
    /// (default 100; a negative limit means all, as mesos-cli asks with `-1`).
    static func tasks(_ snapshot: OperatorSnapshot, query: [String: String]) throws(MasterError) -> JSONValue {
        let registry = snapshot.registry
        var all = registry.tasks.values.map { $0 } + registry.completedTasks.values.map { $0 }
        if let framework = query["framework_id"] { all = all.filter { $0.key.frameworkID.value == framework } }
        if let task = query["task_id"] { all = all.filter { $0.key.taskID.value == task } }
        let order = query["order"] ?? "des"
        guard order == "asc" || order == "des" else {
            throw MasterError(code: .request, message: "order must be asc or des, not \"\(order)\"")
        }
        all.sort { order == "asc" ? $0.key < $1.key : $1.key < $0.key }
        let offset = try number(query["offset"], name: "offset", default: 0)
        let limit = try number(query["limit"], name: "limit", default: 100)
        guard offset >= 0 else { throw MasterError(code: .request, message: "offset must not be negative") }
        let page = all.dropFirst(offset).prefix(limit < 0 ? Int.max : limit)
        return ["tasks": .array(page.map(MasterStateV0.task))]
    }

    private static func number(_ text: String?, name: String, default value: Int) throws(MasterError) -> Int {
        guard let text else { return value }
        guard let number = Int(text) else { throw MasterError(code: .request, message: "\(name) must be an integer, not \"\(text)\"") }
        return number
    }
}
