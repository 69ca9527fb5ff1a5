import CorralModel

// MARK: - The status-update stream
//
// Like Mesos's status update manager: each update is checkpointed before it is sent, a
// task's updates go one at a time (the next waits for the previous one's acknowledgement),
// and the one in flight is sent again with a jittered, doubling backoff until the master
// answers 202 for its UUID.

extension AgentStateMachine {
    /// Gives `status` a fresh UUID, makes it the task's newest status, checkpoints both (with
    /// `extra` changes in the same batch) and sends it if it is first in the task's queue.
    /// An executor's update keeps the executor's `uuid`, so its acknowledgement can be passed on.
    mutating func report(
        _ status: TaskStatus, for task: AgentTask, extra: [CheckpointChange] = [], uuid: [UInt8]? = nil,
        now: ContinuousClock.Instant
    ) {
        var status = status
        status.taskID = task.key.taskID
        status.agentID = info.id
        status.uuid = uuid ?? makeUUID()
        var task = task
        task.status = status
        let update = PendingUpdate(sequence: takeSequence(), frameworkID: task.key.frameworkID, status: status)
        tasks[task.key] = task
        updates[update.sequence] = update
        sequenceByUUID[update.uuid] = update.sequence
        queues[task.key, default: []].append(update.sequence)
        output.append(.persist(extra + [.putTask(task), .putUpdate(update)]))
        log(.info, "task status", ["task": "\(task.key)", "state": status.state.rawValue, "reason": status.reason?.rawValue ?? "none"])
        if queues[task.key]?.count == 1 {
            retries[task.key] = UpdateRetry(due: nil, backoff: updateBackoff())
            sendHead(of: task.key, now: now)
        }
    }

    private func updateBackoff() -> Backoff {
        Backoff(initial: configuration.updateBackoffInitial, maximum: configuration.updateBackoffMaximum)
    }

    /// Sends the task's oldest pending update (when subscribed) and schedules its next send.
    private mutating func sendHead(of key: TaskKey, now: ContinuousClock.Instant) {
        guard let streamID, let sequence = queues[key]?.first, let update = updates[sequence] else { return }
        var retry = retries[key] ?? UpdateRetry(due: nil, backoff: updateBackoff())
        retry.due = now + delay(&retry.backoff)
        retries[key] = retry
        var call = AgentCall(type: .update, agentID: info.id)
        call.update = AgentCall.TaskReport(frameworkID: update.frameworkID, status: update.status)
        output.append(.post(call, streamID: streamID))
    }

    /// After SUBSCRIBED: every task's pending update goes out again at once.
    mutating func resendAllUpdates(now: ContinuousClock.Instant) {
        for key in queues.keys.sorted() {
            retries[key] = UpdateRetry(due: nil, backoff: updateBackoff())
            sendHead(of: key, now: now)
        }
    }

    mutating func tickUpdates(now: ContinuousClock.Instant) {
        guard streamID != nil else { return }
        let due = retries.filter { $0.value.due.map { $0 <= now } ?? false }.keys.sorted()
        for key in due { sendHead(of: key, now: now) }
    }

    mutating func callAnswered(_ uuid: [UInt8], _ outcome: AgentInput.CallOutcome, now: ContinuousClock.Instant) {
        switch outcome {
        case .acknowledged: acknowledged(uuid, now: now)
        case .failed(let message):
            // The retry timer sends it again; nothing else to do.
            log(.debug, "an update was not delivered; it will be sent again", ["reason": message])
        case .refused(let message):
            guard sequenceByUUID[uuid] != nil, streamID != nil else { return }
            abandonConnection("the master refused an update: \(message)", now: now)
        }
    }

    /// The master committed the update with `uuid`: forget it, complete its task if that was
    /// the task's last word, and send the task's next update.
    private mutating func acknowledged(_ uuid: [UInt8], now: ContinuousClock.Instant) {
        guard let sequence = sequenceByUUID.removeValue(forKey: uuid), let update = updates.removeValue(forKey: sequence) else {
            counters.duplicateAcks += 1
            return
        }
        let key = update.key
        // The chaos checkers hold the cluster to this line: its scheduler must see the update.
        log(.info, "status update committed by the master", ["task": "\(key)", "state": update.status.state.rawValue])
        acknowledgedExecutorUpdate(update)
        var changes: [CheckpointChange] = [.removeUpdate(sequence: sequence)]
        queues[key]?.removeAll { $0 == sequence }
        if queues[key]?.isEmpty ?? true {
            queues.removeValue(forKey: key)
            retries.removeValue(forKey: key)
            if let task = tasks[key], task.state.isTerminal { changes += complete(key) }
            output.append(.persist(changes))
        } else {
            output.append(.persist(changes))
            retries[key] = UpdateRetry(due: nil, backoff: updateBackoff())
            sendHead(of: key, now: now)
        }
    }

    /// Moves an acknowledged-terminal task from the table to the completed keys (and to the
    /// history the views show), forgetting the oldest completed keys past the limit.
    private mutating func complete(_ key: TaskKey) -> [CheckpointChange] {
        let sequence = takeSequence()
        if let task = tasks.removeValue(forKey: key) { history.record(task) }
        completed[key] = sequence
        var changes: [CheckpointChange] = [.complete(key, sequence: sequence)]
        while completed.count > max(configuration.completedLimit, 0) {
            guard let oldest = completed.min(by: { $0.value < $1.value })?.key else { break }
            completed.removeValue(forKey: oldest)
            changes.append(.forgetCompleted(oldest))
        }
        return changes
    }
}
