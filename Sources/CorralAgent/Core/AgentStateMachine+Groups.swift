import CorralModel

// MARK: - Task groups: killed together
//
// As Mesos's default executor does: when a task of a group fails, is killed or is lost, and
// when the scheduler kills one of them, every other live task of that group is killed too
// (each with its own kill policy's grace period unless a grace is given); their ends come
// back as TASK_KILLED. A task that finishes does not touch its siblings.

extension AgentStateMachine {
    /// The default executor of a task of a group.
    static func groupExecutorKey(of task: AgentTask) -> ExecutorKey? {
        guard let launch = task.launch, launch.group != nil, let executor = launch.executor, customExecutor(of: launch) == nil
        else { return nil }
        return ExecutorKey(task.key.frameworkID, executor.executorID)
    }

    /// A task of a group runs once its default executor's container does (it joins that
    /// container's network, IPC and UTS namespaces); the first task starts the executor.
    mutating func launchInGroup(_ launch: TaskLaunch, executor info: ExecutorInfo) {
        let key = ExecutorKey(launch.key.frameworkID, info.executorID)
        guard let executor = executors[key] else {
            var executorInfo = info
            executorInfo.frameworkID = executorInfo.frameworkID ?? launch.key.frameworkID
            let executor = AgentExecutor(key: key, info: executorInfo, frameworkInfo: launch.frameworkInfo)
            executors[key] = executor
            pendingGroupLaunches[key, default: []].append(launch)
            output.append(.persist([.putExecutor(executor)]))
            log(.info, "starting the default executor of a task group", ["executor": "\(key)"])
            output.append(.launchExecutor(executor))
            return
        }
        // Not running yet, or stopping: the task waits (for it, or for the next one).
        guard let pid = executor.pid, executor.containerID != nil, executor.shutdownGrace == nil else {
            pendingGroupLaunches[key, default: []].append(launch)
            return
        }
        var joined = launch
        joined.executorPID = pid
        output.append(.launch(joined))
    }

    /// The default executor runs: its waiting tasks start.
    mutating func launchPendingGroupTasks(of key: ExecutorKey) {
        guard let waiting = pendingGroupLaunches.removeValue(forKey: key), let pid = executors[key]?.pid else { return }
        for launch in waiting where tasks[launch.key]?.isLive == true {
            var joined = launch
            joined.executorPID = pid
            output.append(.launch(joined))
        }
    }

    /// A task of a group ended: once none of its executor's tasks is live, the default
    /// executor stops (as Mesos's does when it has no more tasks).
    mutating func retireGroupExecutorIfIdle(after task: AgentTask) {
        guard let key = Self.groupExecutorKey(of: task), let executor = executors[key], executor.runsTaskGroups,
            executor.shutdownGrace == nil
        else { return }
        let busy = tasks.values.contains { $0.isLive && Self.groupExecutorKey(of: $0) == key }
        guard !busy else { return }
        var retiring = executor
        retiring.shutdownGrace = .zero
        executors[key] = retiring
        log(.info, "the default executor has no more tasks; stopping it", ["executor": "\(key)"])
        output.append(.persist([.putExecutor(retiring)]))
        output.append(.killExecutor(key, after: .zero))
    }

    /// Kills every other live task of `task`'s group that is not being killed already.
    mutating func killGroup(of task: AgentTask, grace: Duration?, now: ContinuousClock.Instant) {
        guard let group = task.launch?.group, group.count > 1 else { return }
        for id in group where id != task.key.taskID {
            let key = TaskKey(task.key.frameworkID, id)
            guard let sibling = tasks[key], sibling.isLive, sibling.killGrace == nil else { continue }
            log(.notice, "killing a task with its group", ["task": "\(key)", "because_of": "\(task.key)"])
            killLive(sibling, grace: grace ?? killGrace(for: sibling, policy: nil), now: now)
        }
    }
}
