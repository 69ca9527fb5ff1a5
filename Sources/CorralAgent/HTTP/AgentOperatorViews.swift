import CorralModel
import Foundation

/// The v1 Agent Operator API's answers (`mesos/v1/agent/agent.proto` `Response`), built
/// from an `AgentView`.
enum AgentOperatorViews {
    static let health: JSONValue = ["healthy": true]

    static let version: JSONValue = [
        "version_info": ["version": .string(CorralVersion.mesosCompatible), "build_user": "corral"]
    ]

    static func flags(_ view: AgentView) -> JSONValue {
        ["flags": .array(view.flags.map { ["name": .string($0.name), "value": .string($0.value)] })]
    }

    /// Gauges the view can vouch for, under Mesos's names. Mesos's counters of ended tasks
    /// (`slave/tasks_finished`, …) are not given: the agent forgets a task once its end is
    /// acknowledged, so it could not count them truthfully.
    static func metrics(_ view: AgentView, now: Date) -> [(name: String, value: Double)] {
        let tasks = view.tasks
        func count(_ state: TaskState) -> Double { Double(tasks.filter { $0.state == state }.count) }
        func scalar(_ resources: Resources, _ name: String) -> Double { resources.scalar(named: name)?.value ?? 0 }
        func percent(_ name: String) -> Double {
            let total = scalar(view.totalResources, name)
            return total > 0 ? scalar(view.usedResources, name) / total : 0
        }
        var metrics: [(String, Double)] = [
            ("slave/registered", view.registered ? 1 : 0),
            ("slave/uptime_secs", max(0, now.timeIntervalSince(view.startTime))),
            ("slave/frameworks_active", Double(view.frameworks.filter { $0.executors.contains(where: \.isLive) }.count)),
            ("slave/executors_running", Double(view.executors.filter(\.isLive).count)),
            ("slave/tasks_staging", count(.staging)),
            ("slave/tasks_starting", count(.starting)),
            ("slave/tasks_running", count(.running)),
            ("slave/tasks_killing", count(.killing)),
            ("corral/agent/pending_status_updates", Double(view.pendingUpdates)),
            ("corral/agent/highest_term", Double(view.highestTerm)),
        ]
        for name in ["cpus", "mem", "disk", "gpus"] {
            metrics.append(("slave/\(name)_total", scalar(view.totalResources, name)))
            metrics.append(("slave/\(name)_used", scalar(view.usedResources, name)))
            metrics.append(("slave/\(name)_percent", percent(name)))
        }
        return metrics
    }

    static func getMetrics(_ view: AgentView, now: Date) -> JSONValue {
        ["metrics": .array(metrics(view, now: now).map { ["name": .string($0.name), "value": .number($0.value)] })]
    }

    static func getAgent(_ view: AgentView) -> JSONValue { ["agent_info": .from(view.info)] }

    // MARK: - Frameworks, executors, tasks, containers

    static func getFrameworks(_ view: AgentView) -> JSONValue {
        [
            "frameworks": .array(view.frameworks.map { ["framework_info": .from($0.info)] }),
            "completed_frameworks": .array(view.completedFrameworks.map { ["framework_info": .from($0.info)] }),
        ]
    }

    static func getExecutors(_ view: AgentView) -> JSONValue {
        let executors = view.executors
        return [
            "executors": .array(executors.filter(\.isLive).map { ["executor_info": .from($0.info)] }),
            "completed_executors": .array(executors.filter { !$0.isLive }.map { ["executor_info": .from($0.info)] }),
        ]
    }

    /// Live tasks are `launched_tasks`; ended ones whose end the master has not acknowledged
    /// are `terminated_tasks`, acknowledged ones still in the history `completed_tasks`, as in
    /// Mesos. The agent keeps no pending or queued ones.
    static func getTasks(_ view: AgentView) -> JSONValue {
        let tasks = view.tasks
        return [
            "pending_tasks": [], "queued_tasks": [],
            "launched_tasks": .array(tasks.filter(\.isLive).map { task($0, view) }),
            "terminated_tasks": .array(tasks.filter { !$0.isLive && !$0.isCompleted }.map { task($0, view) }),
            "completed_tasks": .array(tasks.filter(\.isCompleted).map { task($0, view) }),
        ]
    }

    static func getState(_ view: AgentView) -> JSONValue {
        ["get_tasks": getTasks(view), "get_executors": getExecutors(view), "get_frameworks": getFrameworks(view)]
    }

    /// Each live executor's container.
    static func getContainers(_ view: AgentView) -> JSONValue {
        let containers = view.executors.filter(\.isLive).compactMap { executor -> JSONValue? in
            guard let container = executor.containerID else { return nil }
            var status: JSONValue = ["container_id": .from(container)]
            if let pid = executor.executorPID { status["executor_pid"] = .number(Double(pid)) }
            var json: JSONValue = [
                "framework_id": ["value": .string(executor.frameworkID.value)],
                "executor_id": ["value": .string(executor.info.executorID.value)],
                "container_id": .from(container),
                "container_status": status,
            ]
            if let name = executor.info.name { json["executor_name"] = .string(name) }
            if let statistics = resourceStatistics(executor, view) { json["resource_statistics"] = statistics }
            return json
        }
        return ["containers": .array(containers)]
    }

    /// A `mesos.v1.ResourceStatistics` of the executor's persistent volumes, as the disk
    /// watch last measured them (`disk_statistics`), with its CPU and memory limits; nil
    /// before the first measurement, or for an executor whose tasks have no volume.
    static func resourceStatistics(_ executor: AgentView.Executor, _ view: AgentView) -> JSONValue? {
        let reports = executor.tasks.compactMap { view.volumeUsage[$0.key] }
        guard let at = reports.map(\.at).max() else { return nil }
        let disks = reports.flatMap(\.volumes).map { usage -> JSONValue in
            var disk: JSONValue = ["limit_bytes": .number(Double(usage.limitBytes)), "used_bytes": .number(Double(usage.usedBytes))]
            if let persistence = usage.volume.disk?.persistence { disk["persistence"] = .from(persistence) }
            if let source = usage.volume.disk?.source { disk["source"] = .from(source) }
            return disk
        }
        var statistics: JSONValue = ["timestamp": .number(at), "disk_statistics": .array(disks)]
        if let cpus = executor.resources.cpus { statistics["cpus_limit"] = .number(cpus) }
        if let mem = executor.resources.memMegabytes { statistics["mem_limit_bytes"] = .number((mem * 1_048_576).rounded()) }
        return statistics
    }

    /// A `mesos.v1.Task`.
    static func task(_ task: AgentView.Task, _ view: AgentView) -> JSONValue {
        let info = task.launch?.task
        var json: JSONValue = [
            "name": .string(task.name),
            "task_id": ["value": .string(task.key.taskID.value)],
            "framework_id": ["value": .string(task.key.frameworkID.value)],
            "agent_id": ["value": .string(view.agentID)],
            "state": .string(task.state.rawValue),
            "resources": .from(task.resources),
            "statuses": .from(task.statuses),
        ]
        if let executor = task.launch?.executor ?? info?.executor {
            json["executor_id"] = ["value": .string(executor.executorID.value)]
        }
        if let head = task.statuses.first, task.pendingStatuses > 0 {
            json["status_update_state"] = .string(head.state.rawValue)
            if let uuid = head.uuid { json["status_update_uuid"] = .string(Data(uuid).base64EncodedString()) }
        }
        if let user = info?.command?.user { json["user"] = .string(user) }
        if let labels = info?.labels { json["labels"] = .from(labels) }
        if let discovery = info?.discovery { json["discovery"] = .from(discovery) }
        if let container = info?.container { json["container"] = .from(container) }
        if let check = info?.healthCheck { json["health_check"] = .from(check) }
        if let policy = info?.killPolicy { json["kill_policy"] = .from(policy) }
        return json
    }
}
