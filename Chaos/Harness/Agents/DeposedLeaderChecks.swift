extension TaskChecks {
    /// A deposed leader's launches were never executed: a leader commits a launch before it
    /// tells the agent, so every task that started on an agent (its `ran` file) must be in the
    /// registry's final state (live, unreachable or completed). A task that ran and that the
    /// registry does not know was launched by a master that never committed it, such as a
    /// leader that lost its office before the commit.
    public static func launchesCommitted(_ runs: [TaskRun], final: MasterStateView?) -> [String] {
        guard let final else { return [] }
        let known = Set(final.allTasks.map { "\($0.frameworkId)/\($0.id)" })
        return runs.filter { $0.runs > 0 && !known.contains("\($0.framework)/\($0.task)") }
            .sorted { ($0.framework, $0.task, $0.agent) < ($1.framework, $1.task, $1.agent) }
            .map { "task \($0.task) ran on agent \($0.agent), but no commit launched it: the registry does not know it" }
    }

    /// No kill that nobody asked for: kills are not committed (in Mesos neither), so any
    /// leader may carry out a kill its scheduler requested; but a task its scheduler saw
    /// TASK_KILLED must have been killed at that scheduler's request, before.
    public static func killsRequested(_ events: [TaskEvent]) -> [String] {
        var requested: [String: Double] = [:]
        for event in events where event.type == "invoke" && event.f == "kill" {
            if let task = event.task { requested["\(event.scheduler) \(task)"] = min(requested["\(event.scheduler) \(task)"] ?? .infinity, event.time) }
        }
        var violations: [String] = []
        var reported: Set<String> = []
        for event in events where event.type == "status" && event.state == "TASK_KILLED" {
            guard let task = event.task else { continue }
            let key = "\(event.scheduler) \(task)"
            guard (requested[key] ?? .infinity) > event.time, reported.insert(key).inserted else { continue }
            violations.append("task \(task) was killed (scheduler \(event.scheduler) saw TASK_KILLED), but its scheduler never asked")
        }
        return violations
    }
}
