import CorralModel

// MARK: - Custom executors
//
// As in Mesos: the first task naming an executor starts it (checkpointed first), once per
// (framework, executor ID); its tasks wait until it subscribes at `/api/v1/executor`, then go
// to it as LAUNCH events. The executor reports its tasks' states with UPDATE calls; each goes
// through the checkpointed update stream with the executor's own UUID, and the agent answers
// ACKNOWLEDGED once the master acknowledged it. When the executor's container exits, its
// tasks that are not terminal yet fail (TASK_FAILED, REASON_EXECUTOR_TERMINATED) and the
// master is told (EXITED_EXECUTOR, a FAILURE event for the scheduler).

extension AgentStateMachine {
    /// The custom executor a task runs under, if it names one: its own `executor`, or its
    /// group's when that has a command and is not of type DEFAULT (a command task has none,
    /// and a DEFAULT group executor is the agent's own).
    static func customExecutor(of launch: TaskLaunch) -> ExecutorInfo? {
        if let group = launch.executor {
            return group.command != nil && group.type != .default ? group : nil
        }
        guard let executor = launch.task.executor, executor.command != nil else { return nil }
        return executor
    }

    /// Whether the task runs under a custom executor.
    static func runsOnExecutor(_ task: AgentTask) -> Bool {
        task.launch.map { customExecutor(of: $0) != nil } ?? false
    }

    /// The key of the custom executor a task runs under.
    static func executorKey(of task: AgentTask) -> ExecutorKey? {
        guard let launch = task.launch, let executor = customExecutor(of: launch) else { return nil }
        return ExecutorKey(task.key.frameworkID, executor.executorID)
    }

    /// Records a task for its custom executor, starting the executor if it does not run yet.
    mutating func startOnExecutor(_ launch: TaskLaunch, executor info: ExecutorInfo, now: ContinuousClock.Instant) {
        var status = TaskStatus(taskID: launch.key.taskID, state: .staging, source: .agent)
        status.agentID = self.info.id
        status.executorID = info.executorID
        let task = AgentTask(key: launch.key, launch: launch, status: status)
        tasks[launch.key] = task
        var changes: [CheckpointChange] = [.putTask(task)]
        let key = ExecutorKey(launch.key.frameworkID, info.executorID)
        var started: AgentExecutor?
        if executors[key] == nil {
            var executorInfo = info
            executorInfo.frameworkID = executorInfo.frameworkID ?? launch.key.frameworkID
            let executor = AgentExecutor(key: key, info: executorInfo, frameworkInfo: launch.frameworkInfo)
            executors[key] = executor
            changes.append(.putExecutor(executor))
            started = executor
        }
        output.append(.persist(changes))
        armCompletionDeadline(task, now: now)
        log(.info, "launching task on its executor", ["task": "\(launch.key)", "executor": "\(key)"])
        if let started {
            log(.info, "starting executor", ["executor": "\(key)"])
            registrationDeadlines[key] = (now + configuration.executorRegistrationTimeout, true)
            output.append(.launchExecutor(started))
        }
        deliverWaitingTasks(to: key)
    }

    /// Sends LAUNCH for every live task of the executor it has not been given yet, and KILL
    /// for those with a kill pending (when it is subscribed). A task the executor reported on
    /// (past TASK_STAGING), or that it lists as unacknowledged (`known`), was given already.
    mutating func deliverWaitingTasks(to key: ExecutorKey, known: Set<TaskID> = []) {
        guard let stream = executorStreams[key] else { return }
        // The tasks of one LAUNCH_GROUP go together, in one LAUNCH_GROUP event.
        var groups: [[TaskID]: [TaskInfo]] = [:]
        for taskKey in tasks.keys.sorted() where taskKey.frameworkID == key.frameworkID {
            guard let task = tasks[taskKey], task.isLive, Self.executorKey(of: task) == key, let info = task.launch?.task else { continue }
            if !deliveredTasks.contains(taskKey) {
                deliveredTasks.insert(taskKey)
                guard task.state == .staging, !known.contains(taskKey.taskID) else { continue }
                if let group = task.launch?.group {
                    groups[group, default: []].append(info)
                    continue
                }
                var event = ExecutorEvent(type: .launch)
                event.launch = ExecutorEvent.Launch(task: info)
                output.append(.sendExecutor(stream: stream, event))
            }
            if task.killGrace != nil {
                var event = ExecutorEvent(type: .kill)
                event.kill = ExecutorEvent.Kill(taskID: taskKey.taskID, killPolicy: task.launch?.task.killPolicy)
                output.append(.sendExecutor(stream: stream, event))
            }
        }
        for group in groups.keys.sorted(by: { $0.map(\.value).lexicographicallyPrecedes($1.map(\.value)) }) {
            var event = ExecutorEvent(type: .launchGroup)
            event.launchGroup = ExecutorEvent.LaunchGroup(taskGroup: TaskGroupInfo(tasks: groups[group] ?? []))
            output.append(.sendExecutor(stream: stream, event))
        }
    }

    // MARK: - The executor's container

    /// The executor's container runs (launched, or re-attached after a restart).
    mutating func executorRunning(_ key: ExecutorKey, containerID: ContainerID, pid: UInt32?) {
        guard var executor = executors[key] else {
            log(.warning, "the runner reports an executor running that is not known here", ["executor": "\(key)"])
            return
        }
        executor.containerID = containerID
        executor.pid = pid ?? executor.pid
        if executor != executors[key] {
            executors[key] = executor
            output.append(.persist([.putExecutor(executor)]))
        }
        if executor.runsTaskGroups { launchPendingGroupTasks(of: key) }
    }

    /// The executor's container exited (or never started): its live tasks fail, the master
    /// hears of it, and the executor is forgotten.
    mutating func executorEnded(_ key: ExecutorKey, _ end: TaskEnd, now: ContinuousClock.Instant) {
        guard let executor = executors.removeValue(forKey: key) else {
            log(.debug, "ignoring a second end of an executor", ["executor": "\(key)"])
            return
        }
        log(.notice, "executor exited", ["executor": "\(key)", "state": end.state.rawValue])
        if let stream = executorStreams.removeValue(forKey: key) { output.append(.closeExecutorStream(stream: stream)) }
        registrationDeadlines.removeValue(forKey: key)
        let timedOut = unregistered.removeValue(forKey: key)
        output.append(.persist([.removeExecutor(key)]))
        let limitation: Set<TaskStatus.Reason> = [.containerLimitationMemory, .containerLimitationDisk, .containerLimitation]
        // Groups that came while the default executor was stopping (it had no task left) get
        // a new one; any other end takes every task of the executor with it.
        let waiting = executor.shutdownGrace == .zero && executor.runsTaskGroups ? pendingGroupLaunches[key] ?? [] : []
        pendingGroupLaunches.removeValue(forKey: key)
        let restarting = Set(waiting.map(\.key))
        for taskKey in tasks.keys.sorted() where taskKey.frameworkID == key.frameworkID && !restarting.contains(taskKey) {
            guard let task = tasks[taskKey], task.isLive else { continue }
            let inGroup = executor.runsTaskGroups && Self.groupExecutorKey(of: task) == key
            guard inGroup || Self.executorKey(of: task) == key else { continue }
            if inGroup {
                // Its tasks' containers go with it, as nested containers go with theirs.
                stopHealthChecks(taskKey)
                output.append(.kill(taskKey, grace: .zero))
            }
            completionDeadlines.removeValue(forKey: taskKey)
            deliveredTasks.remove(taskKey)
            var status = task.status
            status.state = .failed
            status.source = .agent
            status.reason = timedOut ?? end.reason.flatMap { limitation.contains($0) ? $0 : nil } ?? .executorTerminated
            status.message = timedOut == nil
                ? "the executor \(key.executorID.value) exited before the task ended: \(end.message)"
                : "the executor \(key.executorID.value) did not subscribe within \(configuration.executorRegistrationTimeout) and was killed"
            status.containerStatus = executor.containerID.map { ContainerStatus(containerID: $0, executorPID: executor.pid) }
            report(status, for: task, now: now)
        }
        for launch in waiting where tasks[launch.key]?.isLive == true {
            if let info = launch.executor { launchInGroup(launch, executor: info) }
        }
        guard let streamID else { return }
        var call = AgentCall(type: .exitedExecutor, agentID: info.id)
        call.exitedExecutor = AgentCall.ExitedExecutor(frameworkID: key.frameworkID, executorID: key.executorID, status: end.exitStatus ?? -1)
        output.append(.post(call, streamID: streamID))
    }

    /// Kills every custom executor that did not subscribe in time; its tasks fail with
    /// REASON_EXECUTOR_REGISTRATION_TIMEOUT (or _REREGISTRATION_ after an agent restart).
    mutating func tickRegistrationDeadlines(now: ContinuousClock.Instant) {
        for (key, deadline) in registrationDeadlines.sorted(by: { $0.key < $1.key }) where deadline.at <= now {
            registrationDeadlines.removeValue(forKey: key)
            guard executors[key] != nil, executorStreams[key] == nil else { continue }
            unregistered[key] = deadline.first ? .executorRegistrationTimeout : .executorReregistrationTimeout
            log(.warning, "the executor did not subscribe in time; killing it", ["executor": "\(key)"])
            output.append(.killExecutor(key, after: .zero))
        }
    }

    // MARK: - Kills, shutdowns and messages

    /// KILL of a task on a custom executor: the executor gets a KILL event (now, or when it
    /// subscribes); a task it was never given ends at once as TASK_KILLED.
    mutating func killOnExecutor(_ task: AgentTask, key: ExecutorKey, policy: KillPolicy?, now: ContinuousClock.Instant) {
        var task = task
        task.killGrace = killGrace(for: task, policy: policy)
        guard deliveredTasks.contains(task.key) || task.state != .staging else {
            completionDeadlines.removeValue(forKey: task.key)
            var status = task.status
            status.state = .killed
            status.source = .agent
            status.reason = .taskKilledDuringLaunch
            status.message = "killed before its executor \(key.executorID.value) was given the task"
            report(status, for: task, now: now)
            return
        }
        tasks[task.key] = task
        output.append(.persist([.putTask(task)]))
        log(.info, "asking the executor to kill a task", ["task": "\(task.key)", "executor": "\(key)"])
        guard let stream = executorStreams[key] else { return }
        var event = ExecutorEvent(type: .kill)
        event.kill = ExecutorEvent.Kill(taskID: task.key.taskID, killPolicy: policy ?? task.launch?.task.killPolicy)
        output.append(.sendExecutor(stream: stream, event))
    }

    /// SHUTDOWN to every executor of the framework; each container is killed once its grace
    /// period is over, if it has not exited by then.
    mutating func shutdownExecutors(of framework: FrameworkID) {
        for key in executors.keys.sorted() where key.frameworkID == framework {
            guard var executor = executors[key], executor.shutdownGrace == nil else { continue }
            let grace = executor.info.shutdownGracePeriod.map { Duration.nanoseconds(max($0.nanoseconds, 0)) }
                ?? configuration.executorShutdownGrace
            executor.shutdownGrace = grace
            executors[key] = executor
            output.append(.persist([.putExecutor(executor)]))
            log(.notice, "shutting down executor", ["executor": "\(key)", "grace": "\(grace)"])
            if let stream = executorStreams[key] { output.append(.sendExecutor(stream: stream, ExecutorEvent(type: .shutdown))) }
            output.append(.killExecutor(key, after: grace))
        }
    }

    /// A scheduler's message for a custom executor, as a MESSAGE event; `false` when that
    /// executor is not subscribed here.
    mutating func deliverToExecutor(_ message: AgentCall.FrameworkMessage) -> Bool {
        guard let stream = executorStreams[ExecutorKey(message.frameworkID, message.executorID)] else { return false }
        var event = ExecutorEvent(type: .message)
        event.message = ExecutorCall.Message(data: message.data ?? [])
        output.append(.sendExecutor(stream: stream, event))
        return true
    }
}
