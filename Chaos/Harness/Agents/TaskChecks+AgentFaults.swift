import CorralModel

/// The checkers of the agent faults (`kill-init`, agents cut off from the masters, a full
/// agent disk), beside the general task checkers: what each fault must and must not do.
extension TaskChecks {
    /// Every task whose init a `kill-init` fault SIGKILLed ended TASK_FAILED (its command was
    /// killed) or TASK_KILLED (its scheduler killed it too), with a message saying why; a task
    /// with no terminal state at all is the general checker's finding.
    public static func killedInitsEnded(_ killed: [KilledInit], events: [TaskEvent]) -> [String] {
        var violations: [String] = []
        for hit in killed {
            let ends = events.filter { $0.type == "status" && $0.task == hit.task && MasterStateView.Task.isTerminal($0.state ?? "") }
            guard let end = ends.first, let state = end.state else { continue }
            let at = String(format: "%.3f", Double(hit.nanos) / 1e9)
            if state != TaskState.failed.rawValue && state != TaskState.killed.rawValue {
                violations.append("task \(hit.task): its init (pid \(hit.pid)) was SIGKILLed at \(at) s on agent \(hit.agent), but it ended \(state)")
            } else if (end.message ?? "").isEmpty {
                violations.append("task \(hit.task): its init was SIGKILLed at \(at) s and it ended \(state) with no message saying why")
            }
        }
        return violations
    }

    /// The agent each task was launched on, from the launches in `events`.
    static func launchAgents(_ events: [TaskEvent]) -> [String: String] {
        var agents: [String: String] = [:]
        for event in events where event.type == "invoke" && event.f == "launch" {
            if let task = event.task, let agent = event.agent { agents[task] = agent }
        }
        return agents
    }

    /// The TASK_LOST and TASK_UNREACHABLE updates for tasks on `agentID` heard between
    /// `from` and `to` seconds.
    static func lostOrUnreachable(_ events: [TaskEvent], agentID: String, from: Double, to: Double) -> [TaskEvent] {
        let agents = launchAgents(events)
        return events.filter { event in
            guard event.type == "status", let task = event.task, agents[task] == agentID || event.agent == agentID else { return false }
            return [TaskState.lost.rawValue, TaskState.unreachable.rawValue].contains(event.state ?? "") && event.time >= from
                && event.time <= to
        }
    }

    /// An agent cut off from the masters for less than their agent timeout (by a heartbeat
    /// and 2 s) comes back with its tasks: none of them may become TASK_LOST or TASK_UNREACHABLE.
    /// `agentIDs` maps agent N to its agent ID.
    public static func shortPartitionsLoseNothing(
        _ records: [FaultRecord], scheduling: MasterScheduling, events: [TaskEvent], agentIDs: [Int: String]
    ) -> [String] {
        var violations: [String] = []
        for record in records where record.planned.kind == .isolate && record.planned.target == .agent {
            let agent = Int(record.targets.first ?? 0) - Int(Scenario.agentNodeBase)
            let seconds = Double(record.healedNanos - record.injectedNanos) / 1e9
            guard scheduling.surelyReachable(partitionSeconds: seconds), let agentID = agentIDs[agent] else { continue }
            let from = Double(record.injectedNanos) / 1e9
            let lost = lostOrUnreachable(events, agentID: agentID, from: from, to: Double(record.healedNanos) / 1e9 + scheduling.heartbeatSeconds + 2)
            for event in lost {
                violations.append(
                    "task \(event.task ?? "?") became \(event.state ?? "?") at \(String(format: "%.3f", event.time)) s, though agent \(agent) was cut off "
                        + "for only \(String(format: "%.1f", seconds)) s (the masters' agent timeout is \(scheduling.timeoutSeconds) s)")
            }
        }
        return violations
    }

    /// What each agent partition did to the tasks, for the summary's notes: how many became
    /// TASK_LOST or TASK_UNREACHABLE while it lasted (or just after), and how many of the
    /// unreachable ones came back when the agent re-registered (running, or ended meanwhile).
    public static func partitionNotes(
        _ records: [FaultRecord], scheduling: MasterScheduling, events: [TaskEvent], agentIDs: [Int: String]
    ) -> [String] {
        records.filter { $0.planned.kind == .isolate && $0.planned.target == .agent }.compactMap { record in
            let agent = Int(record.targets.first ?? 0) - Int(Scenario.agentNodeBase)
            guard let agentID = agentIDs[agent] else { return nil }
            let seconds = Double(record.healedNanos - record.injectedNanos) / 1e9
            let hit = lostOrUnreachable(
                events, agentID: agentID, from: Double(record.injectedNanos) / 1e9,
                to: Double(record.healedNanos) / 1e9 + scheduling.heartbeatSeconds + 2)
            let lost = Set(hit.filter { $0.state == TaskState.lost.rawValue }.compactMap(\.task))
            let unreachable = Set(hit.filter { $0.state == TaskState.unreachable.rawValue }.compactMap(\.task))
            let back = unreachable.filter { task in
                events.contains { $0.type == "status" && $0.task == task && $0.reason == TaskStatus.Reason.agentReregistered.rawValue }
            }
            return "agent \(agent) cut off for \(String(format: "%.1f", seconds)) s (agent timeout \(scheduling.timeoutSeconds) s): "
                + "\(lost.count) tasks TASK_LOST, \(unreachable.count) TASK_UNREACHABLE, \(back.count) of these back when it re-registered"
        }
    }

    /// What a scheduler may hear of a task, as Mesos allows it: status updates (the ones with
    /// a UUID, acknowledged) arrive in order, so after a terminal update no update names a
    /// state that is not terminal (a TASK_LOST is never followed by TASK_RUNNING); and only a
    /// PARTITION_AWARE framework (schedulers 1...`partitionAware`) hears TASK_UNREACHABLE, the
    /// others TASK_LOST. A reconciliation answer is the registry's state when it was asked,
    /// which may overtake updates still being sent again (TASK_FINISHED answered before the
    /// resent TASK_RUNNING and TASK_FINISHED), so it does not end the order.
    public static func mesosStateOrder(_ events: [TaskEvent], partitionAware: Int) -> [String] {
        var violations: [String] = []
        var ended: [String: String] = [:]
        var reported: Set<String> = []
        for event in events where event.type == "status" {
            guard let task = event.task, let state = event.state, !reported.contains(task) else { continue }
            let update = event.acknowledged == true
            if state == TaskState.unreachable.rawValue && event.scheduler > partitionAware {
                reported.insert(task)
                violations.append(
                    "task \(task): scheduler \(event.scheduler), not PARTITION_AWARE, was told TASK_UNREACHABLE at \(String(format: "%.3f", event.time)) s")
            } else if update, let end = ended[task], !MasterStateView.Task.isTerminal(state) {
                reported.insert(task)
                violations.append("task \(task) got an update \(state) at \(String(format: "%.3f", event.time)) s, after its terminal update \(end)")
            } else if update, MasterStateView.Task.isTerminal(state), ended[task] == nil {
                ended[task] = state
            }
        }
        return violations
    }

    /// No task still runs on an agent after its scheduler saw it end (`lingering`: what ran
    /// once the run had waited for such containers to stop).
    public static func nothingRunsAfterItsEnd(_ lingering: [TaskRun], events: [TaskEvent]) -> [String] {
        lingering.map { run in
            let end = events.last { $0.type == "status" && $0.task == run.task && MasterStateView.Task.isTerminal($0.state ?? "") }
            return "task \(run.task) still ran on agent \(run.agent) at the end, though its scheduler saw it end \(end?.state ?? "")"
        }
    }

    /// With every task ended, no agent has resources allocated in the leader's final state.
    public static func resourcesReturned(_ state: MasterStateView) -> [String] {
        state.slaves.compactMap { agent in
            let cpus = agent.usedResources.cpus ?? 0, mem = agent.usedResources.mem ?? 0
            guard cpus > 1e-6 || mem > 1e-6 else { return nil }
            return "agent \(agent.hostname) still had cpus \(cpus), mem \(mem) allocated after every task ended"
        }
    }
}
