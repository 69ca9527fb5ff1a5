import CorralModel

// MARK: - The Executor API's calls, as the agent's core takes them
//
// SUBSCRIBE (a stream per subscription; a newer one replaces an older one), UPDATE (into the
// checkpointed update stream with the executor's UUID, acknowledged back once the master has
// it) and MESSAGE (`AgentInput.executorMessage`). See `AgentStateMachine+Executors.swift`.

extension AgentStateMachine {
    /// Why the agent refuses an executor's call (`nil`: it takes it), as an HTTP status and a
    /// message that says what to do.
    public func executorCallRefusal(_ call: ExecutorCall) -> (status: Int, message: String)? {
        let key = ExecutorKey(call.frameworkID, call.executorID)
        guard executors[key] != nil else {
            return (400, "executor \(key.executorID.value) of framework \(key.frameworkID.value) does not run on this agent; "
                + "an executor subscribes with the MESOS_FRAMEWORK_ID and MESOS_EXECUTOR_ID the agent started it with")
        }
        switch call.type {
        case .subscribe:
            return nil
        case .update:
            guard executorStreams[key] != nil else { return (403, "the executor must SUBSCRIBE before it sends UPDATE") }
            guard let status = call.update?.status else { return (400, "UPDATE needs \"update\": {\"status\": …}") }
            guard let uuid = status.uuid, uuid.count == 16 else {
                return (400, "the status of an UPDATE needs a 16-byte \"uuid\" (base64)")
            }
            if status.state == .staging { return (400, "an executor may not send TASK_STAGING; it is the agent's state") }
            return nil
        case .message:
            guard executorStreams[key] != nil else { return (403, "the executor must SUBSCRIBE before it sends MESSAGE") }
            guard call.message?.data != nil else { return (400, "MESSAGE needs \"message\": {\"data\": \"<base64>\"}") }
            return nil
        default:
            return (400, "\"\(call.type.rawValue)\" is not an executor call; send SUBSCRIBE, UPDATE or MESSAGE")
        }
    }

    /// SUBSCRIBE on `stream`: SUBSCRIBED, then the tasks it has not been given. A second
    /// subscription replaces the first (whose stream is closed).
    mutating func executorSubscribed(_ key: ExecutorKey, stream: UInt64, _ subscribe: ExecutorCall.Subscribe, now: ContinuousClock.Instant) {
        guard let executor = executors[key] else {
            var event = ExecutorEvent(type: .error)
            event.error = SchedulerEvent.ErrorPayload(message: "executor \(key) does not run on this agent")
            output.append(.sendExecutor(stream: stream, event))
            output.append(.closeExecutorStream(stream: stream))
            return
        }
        registrationDeadlines.removeValue(forKey: key)
        if let old = executorStreams.updateValue(stream, forKey: key), old != stream {
            output.append(.closeExecutorStream(stream: old))
        }
        log(.info, "executor subscribed", ["executor": "\(key)", "stream": "\(stream)"])
        var frameworkInfo = executor.frameworkInfo ?? FrameworkInfo(user: "", name: "")
        frameworkInfo.id = frameworkInfo.id ?? key.frameworkID
        var event = ExecutorEvent(type: .subscribed)
        event.subscribed = ExecutorEvent.Subscribed(
            executorInfo: executor.info, frameworkInfo: frameworkInfo, agentInfo: info, containerID: executor.containerID)
        output.append(.sendExecutor(stream: stream, event))
        if executor.shutdownGrace != nil {
            // Told to shut down before (e.g. while it was away): told again, given nothing.
            output.append(.sendExecutor(stream: stream, ExecutorEvent(type: .shutdown)))
        }
        // Updates it sent that were lost with an old agent: taken as if sent now.
        for update in subscribe.unacknowledgedUpdates {
            executorUpdate(key, update.status, now: now)
        }
        guard executor.shutdownGrace == nil else { return }
        deliverWaitingTasks(to: key, known: Set(subscribe.unacknowledgedTasks.map(\.taskID)))
    }

    /// The executor's subscription stream ended: tasks wait for it to subscribe again.
    mutating func executorDisconnected(_ key: ExecutorKey, stream: UInt64) {
        guard executorStreams[key] == stream else { return }
        executorStreams.removeValue(forKey: key)
        log(.notice, "executor disconnected", ["executor": "\(key)"])
    }

    /// UPDATE from an executor: into the task's update stream with the executor's UUID. An
    /// update the agent already has is not taken twice; one for a task that is no longer
    /// live is acknowledged at once, so the executor stops sending it.
    mutating func executorUpdate(_ key: ExecutorKey, _ status: TaskStatus, now: ContinuousClock.Instant) {
        guard let uuid = status.uuid, sequenceByUUID[uuid] == nil else { return }
        let taskKey = TaskKey(key.frameworkID, status.taskID)
        guard var task = tasks[taskKey], task.isLive, Self.executorKey(of: task) == key else {
            log(.notice, "acknowledging an executor's update for a task that is not live here", ["task": "\(taskKey)", "executor": "\(key)"])
            acknowledgeToExecutor(key, taskID: status.taskID, uuid: uuid)
            return
        }
        var update = status
        update.source = .executor
        update.executorID = key.executorID
        if let executor = executors[key], let containerID = executor.containerID {
            // The task runs in its executor's container.
            task.containerID = containerID
            task.executorPID = executor.pid
            if update.containerStatus == nil {
                update.containerStatus = ContainerStatus(containerID: containerID, executorPID: executor.pid)
            }
        }
        deliveredTasks.insert(taskKey)
        if update.state.isTerminal {
            completionDeadlines.removeValue(forKey: taskKey)
            deliveredTasks.remove(taskKey)
        }
        report(update, for: task, uuid: uuid, now: now)
    }

    /// ACKNOWLEDGED to the executor, if it is subscribed.
    mutating func acknowledgeToExecutor(_ key: ExecutorKey, taskID: TaskID, uuid: [UInt8]) {
        guard let stream = executorStreams[key] else { return }
        var event = ExecutorEvent(type: .acknowledged)
        event.acknowledged = ExecutorEvent.Acknowledged(taskID: taskID, uuid: uuid)
        output.append(.sendExecutor(stream: stream, event))
    }

    /// The master acknowledged an update: if its executor sent it, tell the executor.
    mutating func acknowledgedExecutorUpdate(_ update: PendingUpdate) {
        guard update.status.source == .executor, let executorID = update.status.executorID else { return }
        let key = ExecutorKey(update.frameworkID, executorID)
        guard executors[key] != nil else { return }
        acknowledgeToExecutor(key, taskID: update.status.taskID, uuid: update.uuid)
    }
}
