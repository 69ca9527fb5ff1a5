import CorralModel

// MARK: - LAUNCH: at most once, never over-committed

extension AgentStateMachine {
    /// What live tasks hold: their resources, plus each live executor's once.
    public var usedResources: Resources {
        var used = Resources()
        var executors: Set<String> = []
        for task in tasks.values where task.isLive {
            guard let launch = task.launch else { continue }
            used += Resources(launch.task.resources)
            if let executor = launch.executor, executors.insert("\(task.key.frameworkID)/\(executor.executorID)").inserted {
                used += Resources(executor.resources)
            }
        }
        return used.unallocated.withoutDynamicReservations.withoutVolumes
    }

    /// The agent's total, less what live tasks hold. Static reservations count (the agent
    /// made them); dynamic ones and volumes do not: they are the master's books, kept in its
    /// registry, so a task on dynamically reserved CPUs counts as using the CPUs they were
    /// made from, and one with a volume as using the disk it was made from.
    public var freeResources: Resources { Resources(info.resources).unallocated - usedResources }

    /// Whether `key` was ever taken by a LAUNCH or a KILL on this agent (still in the table,
    /// or completed and remembered).
    public func knows(_ key: TaskKey) -> Bool { tasks[key] != nil || completed[key] != nil }

    /// A LAUNCH of one task, or of a task group with its executor.
    ///
    /// - A task the agent already knows is not launched again (a replay after a fail-over or
    ///   a restart): ignored.
    /// - A group runs whole or not at all: when some of its tasks are known already (one was
    ///   killed before the group's LAUNCH arrived, as only that can split a group), the others
    ///   are refused with TASK_KILLED / REASON_TASK_KILLED_DURING_LAUNCH, as Mesos kills a
    ///   whole group when one of its tasks is killed during launch.
    /// - Resources that do not fit are refused with TASK_DROPPED (a PARTITION_AWARE framework)
    ///   or TASK_LOST (others), REASON_INVALID_OFFERS. Not TASK_ERROR: the task is valid, and
    ///   Mesos keeps TASK_ERROR for tasks that can never run; the master offered what this
    ///   agent does not have (a stale view, e.g. the agent restarted smaller), which is what
    ///   Mesos reports with TASK_DROPPED/TASK_LOST and REASON_INVALID_OFFERS: try again elsewhere.
    mutating func launch(_ event: AgentEvent.Launch, now: ContinuousClock.Instant) {
        var seen: Set<TaskKey> = []
        var fresh: [TaskLaunch] = []
        var known = 0
        for task in event.tasks {
            let key = TaskKey(event.frameworkID, task.taskID)
            guard seen.insert(key).inserted else { continue }
            if knows(key) {
                known += 1
                counters.duplicateLaunches += 1
                log(.notice, "ignoring a LAUNCH of a task this agent already has or had", ["task": "\(key)"])
            } else {
                let group = event.executor == nil ? nil : event.tasks.map(\.taskID)
                fresh.append(TaskLaunch(key: key, frameworkInfo: event.frameworkInfo, task: task, executor: event.executor, group: group))
            }
        }
        guard !fresh.isEmpty else { return }
        if known > 0 {
            for launch in fresh {
                refuse(launch, state: .killed, reason: .taskKilledDuringLaunch,
                    message: "another task of its group was killed or ended before the group was launched", now: now)
            }
            return
        }
        var needed = Resources(fresh.flatMap(\.task.resources))
        if let executor = event.executor, !executorIsLive(executor.executorID, of: event.frameworkID) {
            needed += Resources(executor.resources)
        }
        let free = freeResources
        needed = needed.withoutDynamicReservations.withoutVolumes
        guard free.contains(needed.unallocated) else {
            let partitionAware = event.frameworkInfo?.capabilities.contains(FrameworkInfo.Capability(.partitionAware)) ?? false
            for launch in fresh {
                refuse(launch, state: partitionAware ? .dropped : .lost, reason: .invalidOffers,
                    message: "the agent has not got the resources: the launch needs \(needed.unallocated) but only \(free) is free", now: now)
            }
            return
        }
        for launch in fresh { start(launch, now: now) }
    }

    private func executorIsLive(_ id: ExecutorID, of framework: FrameworkID) -> Bool {
        tasks.values.contains { $0.isLive && $0.key.frameworkID == framework && $0.launch?.executor?.executorID == id }
    }

    /// Records the task as launched (checkpointed first), reports TASK_STARTING, and asks the
    /// runner to start it.
    private mutating func start(_ launch: TaskLaunch, now: ContinuousClock.Instant) {
        if let executor = Self.customExecutor(of: launch) {
            startOnExecutor(launch, executor: executor, now: now)
            return
        }
        var status = TaskStatus(taskID: launch.key.taskID, state: .staging, source: .agent)
        status.agentID = info.id
        status.executorID = launch.executor?.executorID ?? launch.task.executor?.executorID
        let task = AgentTask(key: launch.key, launch: launch, status: status)
        if configuration.reportsStarting {
            var starting = status
            starting.state = .starting
            starting.source = .executor
            report(starting, for: task, now: now)
        } else {
            tasks[launch.key] = task
            output.append(.persist([.putTask(task)]))
        }
        armCompletionDeadline(task, now: now)
        log(.info, "launching task", ["task": "\(launch.key)"])
        if let executor = launch.executor {
            launchInGroup(launch, executor: executor)
            return
        }
        output.append(.launch(launch))
    }

    /// Records a task that will never run, with its terminal update.
    private mutating func refuse(
        _ launch: TaskLaunch, state: TaskState, reason: TaskStatus.Reason, message: String, now: ContinuousClock.Instant
    ) {
        counters.refusedLaunches += 1
        log(.warning, "refusing a launch", ["task": "\(launch.key)", "reason": reason.rawValue])
        var status = TaskStatus(taskID: launch.key.taskID, state: state, message: message, source: .agent, reason: reason)
        status.executorID = launch.executor?.executorID ?? launch.task.executor?.executorID
        report(status, for: AgentTask(key: launch.key, launch: nil, status: status), now: now)
    }

    // MARK: - max_completion_time

    mutating func armCompletionDeadline(_ task: AgentTask, now: ContinuousClock.Instant) {
        guard task.isLive, !task.maxCompletionReached, let limit = task.launch?.task.maxCompletionTime else { return }
        completionDeadlines[task.key] = now + .nanoseconds(max(limit.nanoseconds, 0))
    }

    /// Kills every task past its `max_completion_time`; its end is reported as TASK_FAILED
    /// with REASON_MAX_COMPLETION_TIME_REACHED, as Mesos does.
    mutating func tickCompletionDeadlines(now: ContinuousClock.Instant) {
        let due = completionDeadlines.filter { $0.value <= now }.keys.sorted()
        for key in due {
            completionDeadlines.removeValue(forKey: key)
            guard var task = tasks[key], task.isLive else { continue }
            task.maxCompletionReached = true
            let grace = task.killGrace ?? killGrace(for: task, policy: nil)
            task.killGrace = grace
            tasks[key] = task
            log(.notice, "task reached its max_completion_time; killing it", ["task": "\(key)"])
            if let executor = Self.executorKey(of: task) {
                killOnExecutor(task, key: executor, policy: nil, now: now)
                continue
            }
            output.append(.persist([.putTask(task)]))
            output.append(.kill(key, grace: grace))
        }
    }

    /// The grace period of a kill: the KILL's policy, else the task's, else the default.
    func killGrace(for task: AgentTask, policy: KillPolicy?) -> Duration {
        let period = policy?.gracePeriod ?? task.launch?.task.killPolicy?.gracePeriod
        guard let period else { return configuration.defaultKillGrace }
        return .nanoseconds(max(period.nanoseconds, 0))
    }
}
