import CorralModel

// MARK: - KILL, SHUTDOWN_FRAMEWORK, messages and the runner's reports

extension AgentStateMachine {
    /// KILL: stop a live task (SIGTERM, SIGKILL after the grace period). A KILL for a task
    /// whose LAUNCH has not arrived is answered at once with TASK_KILLED /
    /// REASON_TASK_KILLED_DURING_LAUNCH and the key is taken, so the LAUNCH, when it comes,
    /// is not run (Mesos does the same for a task killed while its launch is pending).
    mutating func kill(_ key: TaskKey, policy: KillPolicy?, now: ContinuousClock.Instant) {
        guard let task = tasks[key] else {
            if completed[key] != nil { return }
            counters.refusedLaunches += 1
            let status = TaskStatus(
                taskID: key.taskID, state: .killed, message: "killed before its launch reached the agent",
                source: .agent, reason: .taskKilledDuringLaunch)
            report(status, for: AgentTask(key: key, launch: nil, status: status), now: now)
            return
        }
        guard task.isLive else { return }
        if let executor = Self.executorKey(of: task) {
            killOnExecutor(task, key: executor, policy: policy, now: now)
            return
        }
        let grace = killGrace(for: task, policy: policy)
        killLive(task, grace: grace, now: now)
        killGroup(of: task, grace: grace, now: now)
    }

    mutating func killLive(_ task: AgentTask, grace: Duration, now: ContinuousClock.Instant) {
        var task = task
        let first = task.killGrace == nil
        task.killGrace = grace
        log(.info, "killing task", ["task": "\(task.key)", "grace": "\(grace)"])
        let killingState = task.launch?.frameworkInfo?.capabilities.contains(FrameworkInfo.Capability(.taskKillingState)) ?? false
        if first && killingState && task.state != .killing {
            var status = task.status
            status.state = .killing
            status.source = .executor
            status.reason = nil
            status.message = "the task is being killed"
            report(status, for: task, now: now)
        } else {
            tasks[task.key] = task
            output.append(.persist([.putTask(task)]))
        }
        output.append(.kill(task.key, grace: grace))
    }

    /// SHUTDOWN_FRAMEWORK: kill every live task of the framework, and shut its executors down
    /// (their tasks end with them).
    mutating func shutdownFramework(_ framework: FrameworkID, now: ContinuousClock.Instant) {
        log(.notice, "shutting down a framework's tasks", ["framework": framework.value])
        shutdownExecutors(of: framework)
        for key in tasks.keys.sorted() where key.frameworkID == framework {
            guard let task = tasks[key], task.isLive, !Self.runsOnExecutor(task) else { continue }
            killLive(task, grace: task.killGrace ?? killGrace(for: task, policy: nil), now: now)
        }
    }

    /// A scheduler's message for an executor: a MESSAGE event if that custom executor is
    /// subscribed here, else dropped (messages are delivered at most once, as in Mesos, whose
    /// command executor ignores them too).
    mutating func deliver(_ message: AgentCall.FrameworkMessage) {
        guard deliverToExecutor(message) else {
            log(.notice, "dropping a framework message for an executor that is not subscribed here",
                ["framework": message.frameworkID.value, "executor": message.executorID.value])
            return
        }
    }

    /// An executor's message for its scheduler: sent if subscribed, else dropped.
    mutating func sendExecutorMessage(_ message: AgentCall.FrameworkMessage) {
        guard let streamID else {
            log(.notice, "dropping an executor message: not subscribed",
                ["framework": message.frameworkID.value, "executor": message.executorID.value])
            return
        }
        var call = AgentCall(type: .message, agentID: info.id)
        call.message = message
        output.append(.post(call, streamID: streamID))
    }

    // MARK: - The runner's reports

    /// The task's container runs: TASK_RUNNING (once; a re-attach after a restart only
    /// records the container).
    mutating func taskRunning(_ key: TaskKey, containerID: ContainerID, pid: UInt32?, now: ContinuousClock.Instant) {
        guard var task = tasks[key], task.isLive else {
            log(.warning, "the runner reports a task running that is not live here", ["task": "\(key)"])
            return
        }
        task.containerID = containerID
        task.executorPID = pid ?? task.executorPID
        guard task.state == .staging || task.state == .starting else {
            if task != tasks[key] {
                tasks[key] = task
                output.append(.persist([.putTask(task)]))
            }
            // Re-attached after a restart: its checks start again.
            startHealthChecks(task, now: now)
            return
        }
        var status = task.status
        status.state = .running
        status.source = .executor
        status.reason = nil
        status.message = nil
        status.containerStatus = ContainerStatus(containerID: containerID, executorPID: task.executorPID)
        report(status, for: task, now: now)
        startHealthChecks(task, now: now)
    }

    /// The task ended (or never started): its terminal update; its resources are free at once.
    mutating func taskEnded(_ key: TaskKey, _ end: TaskEnd, source: TaskStatus.Source, now: ContinuousClock.Instant) {
        guard let task = tasks[key], task.isLive else {
            log(.debug, "ignoring a second end of a task", ["task": "\(key)"])
            return
        }
        completionDeadlines.removeValue(forKey: key)
        stopHealthChecks(key)
        var status = task.status
        status.source = source
        status.containerStatus = task.containerID.map { ContainerStatus(containerID: $0, executorPID: task.executorPID) }
        if task.maxCompletionReached {
            let limit = task.launch?.task.maxCompletionTime.map { Duration.nanoseconds($0.nanoseconds) } ?? .zero
            status.state = .failed
            status.reason = .maxCompletionTimeReached
            status.message = "the task ran longer than its max_completion_time (\(limit)) and was killed: \(end.message)"
        } else if end.state.isTerminal {
            status.state = end.state
            status.reason = end.reason
            status.message = end.message
        } else {
            status.state = .failed
            status.reason = end.reason
            status.message = "the runner reported a non-terminal end (\(end.state.rawValue)): \(end.message)"
        }
        report(status, for: task, now: now)
        if status.state != .finished { killGroup(of: task, grace: nil, now: now) }
        retireGroupExecutorIfIdle(after: task)
    }
}
