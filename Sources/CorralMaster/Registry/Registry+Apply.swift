import CorralModel

extension Registry {
    /// Applies one command from the log entry at `index`; returns the outcome for the
    /// proposer and the changes for the leader. A refused command changes nothing.
    public mutating func apply(_ command: RegistryCommand, index: UInt64) -> (RegistryOutcome, [RegistryChange]) {
        bookkeeping.applyingIndex = index
        bookkeeping.madeUUIDs = 0
        var changes: [RegistryChange] = []
        let outcome = apply(command, changes: &changes)
        return (outcome, changes)
    }

    private mutating func apply(_ command: RegistryCommand, changes: inout [RegistryChange]) -> RegistryOutcome {
        switch command {
        case .subscribeFramework(let info, let at):
            advanceClock(at)
            return subscribeFramework(info, at: at, changes: &changes)
        case .updateFramework(let info, let at):
            advanceClock(at)
            guard let id = info.id, var record = frameworks[id], !record.isRemoved else {
                return RegistryOutcome(error: "framework \(info.id?.value ?? "?") is not registered")
            }
            record.info = info
            frameworks[id] = record
            touch(.framework(id))
            changes.append(.frameworkUpdated(record))
            return .ok
        case .disconnectFramework(let id, let at, let deadline):
            advanceClock(at)
            guard var record = frameworks[id], record.state == .active else { return .ok }
            record.state = .disconnected(sinceNanos: at, deadlineNanos: deadline)
            frameworks[id] = record
            touch(.framework(id))
            changes.append(.frameworkUpdated(record))
            return .ok
        case .removeFramework(let id, let at):
            advanceClock(at)
            guard frameworks[id] != nil else { return RegistryOutcome(error: "framework \(id) is not registered") }
            removeFramework(id, at: at, changes: &changes)
            return .ok
        case .tick(let at):
            advanceClock(at)
            expireFrameworks(changes: &changes)
            return .ok
        case .admitAgent(let info, let at, let ip):
            advanceClock(at)
            guard let id = info.id, agents[id] == nil else {
                return RegistryOutcome(error: "agent \(info.id?.value ?? "?") is already registered")
            }
            if let refusal = machineDown(hostname: info.hostname, ip: ip) { return refusal }
            var record = AgentRecord(info: info, state: .active, registeredAtNanos: at)
            record.ip = ip
            agents[id] = record
            touch(.agent(id))
            changes.append(.agentAdded(record))
            return .ok
        case .reregisterAgent(let info, let reported, let at, let ip):
            advanceClock(at)
            if let refusal = machineDown(hostname: info.hostname, ip: ip) { return refusal }
            return reregisterAgent(info, reported: reported, at: at, ip: ip, changes: &changes)
        case .agentUnreachable(let id, let at):
            advanceClock(at)
            return agentUnreachable(id, at: at, changes: &changes)
        case .markAgentGone(let id, let at):
            advanceClock(at)
            return markAgentGone(id, at: at, changes: &changes)
        case .updateAgentResources(let id, let resources, let at):
            advanceClock(at)
            guard var record = agents[id] else { return RegistryOutcome(error: "agent \(id) is not registered") }
            record.info.resources = resources
            agents[id] = record
            touch(.agent(id))
            changes.append(.agentUpdated(record))
            return .ok
        case .deactivateAgent(let id, let deactivated, let at):
            advanceClock(at)
            guard var record = agents[id] else {
                return RegistryOutcome(error: "agent \(id) is not registered", reason: "REASON_AGENT_UNKNOWN")
            }
            guard record.deactivated != deactivated || (!deactivated && record.drain != nil) else { return .ok }
            record.deactivated = deactivated
            if !deactivated { record.drain = nil }
            agents[id] = record
            touch(.agent(id))
            changes.append(.agentUpdated(record))
            return .ok
        case .drainAgent(let id, let maxGrace, let markGone, let at):
            advanceClock(at)
            return drainAgent(id, maxGraceNanos: maxGrace, markGone: markGone, at: at, changes: &changes)
        case .reserve(let agentID, let resources, let at):
            advanceClock(at)
            return reserve(resources, on: agentID, changes: &changes)
        case .unreserve(let agentID, let resources, let at):
            advanceClock(at)
            return unreserve(resources, on: agentID, changes: &changes)
        case .operationStatus(let frameworkID, let status, let at):
            advanceClock(at)
            return operationStatus(status, of: frameworkID, changes: &changes)
        case .acknowledgeOperation(let frameworkID, let operationID, let uuid):
            return acknowledgeOperation(operationID, uuid: uuid, of: frameworkID, changes: &changes)
        case .createVolumes(let agentID, let volumes, let at):
            advanceClock(at)
            return createVolumes(volumes, on: agentID, changes: &changes)
        case .destroyVolumes(let agentID, let volumes, let at):
            advanceClock(at)
            return destroyVolumes(volumes, on: agentID, changes: &changes)
        case .growVolume(let agentID, let volume, let addition, let at):
            advanceClock(at)
            return growVolume(volume, by: addition, on: agentID, changes: &changes)
        case .shrinkVolume(let agentID, let volume, let subtract, let at):
            advanceClock(at)
            return shrinkVolume(volume, by: subtract, on: agentID, changes: &changes)
        case .launch(let frameworkID, let agentID, let role, let tasks, let executor, let at):
            advanceClock(at)
            return launch(frameworkID, agentID: agentID, role: role, tasks: tasks, executor: executor, at: at, changes: &changes)
        case .statusUpdate(let frameworkID, let status, let at):
            advanceClock(at)
            return statusUpdate(TaskKey(frameworkID, status.taskID), status, at: at, changes: &changes)
        case .acknowledge(let frameworkID, let taskID, let uuid):
            return acknowledge(TaskKey(frameworkID, taskID), uuid: uuid, changes: &changes)
        case .updateQuota(let records):
            for record in records {
                quotas[record.role] = record
                touch(.quota(record.role))
            }
            changes.append(.quotaChanged)
            return .ok
        case .removeQuota(let role):
            guard quotas.removeValue(forKey: role) != nil else { return RegistryOutcome(error: "role \(role) has no quota") }
            touch(.quota(role))
            changes.append(.quotaChanged)
            return .ok
        case .updateWeights(let updated):
            for (role, weight) in updated { weights[role] = weight }
            touch(.weights)
            changes.append(.weightsChanged)
            return .ok
        case .startMaintenance(let machines, let at):
            advanceClock(at)
            return startMaintenance(machines, at: at, changes: &changes)
        case .stopMaintenance(let machines, let at):
            advanceClock(at)
            return stopMaintenance(machines, changes: &changes)
        case .updateMaintenance(let schedule):
            if let problem = schedule.problem(down: downMachines) { return RegistryOutcome(error: problem) }
            maintenance = schedule
            touch(.maintenance)
            changes.append(.maintenanceChanged)
            return .ok
        }
    }

    // MARK: - Frameworks

    private mutating func subscribeFramework(_ info: FrameworkInfo, at: UInt64, changes: inout [RegistryChange]) -> RegistryOutcome {
        guard let id = info.id else { return RegistryOutcome(error: "the framework has no ID") }
        if completedFrameworks[id] != nil {
            return RegistryOutcome(error: "framework \(id) has been removed; subscribe without an ID to start anew")
        }
        if var record = frameworks[id] {
            record.info = info
            record.state = .active
            frameworks[id] = record
            touch(.framework(id))
            changes.append(.frameworkUpdated(record))
        } else {
            let record = FrameworkRecord(info: info, state: .active, registeredAtNanos: at)
            frameworks[id] = record
            touch(.framework(id))
            changes.append(.frameworkAdded(record))
        }
        return .ok
    }

    private mutating func expireFrameworks(changes: inout [RegistryChange]) {
        let expired = frameworks.values.compactMap { record -> FrameworkID? in
            if case .disconnected(_, let deadline) = record.state, deadline <= clockNanos { return record.id }
            return nil
        }
        for id in expired.sorted() { removeFramework(id, at: clockNanos, changes: &changes) }
    }

    private mutating func removeFramework(_ id: FrameworkID, at: UInt64, changes: inout [RegistryChange]) {
        guard var record = frameworks.removeValue(forKey: id) else { return }
        touch(.framework(id))
        var killed: [TaskRecord] = []
        for task in tasks(of: id) {
            tasks.removeValue(forKey: task.key)
            touch(.task(task.key))
            var finished = task
            if !task.isTerminal {
                killed.append(task)
                finished.state = .killed
                finished.status = masterStatus(for: task, state: .killed, reason: .frameworkRemoved,
                    message: "the framework was removed", at: at)
            }
            finished.pending = []
            complete(finished)
        }
        record.state = .removed(atNanos: at)
        completedFrameworks[id] = record
        touch(.completedFramework(id))
        // The earliest removed leaves first, ties broken by ID: the dictionary's order differs
        // between processes, so an unordered pick would differ between replicas.
        if completedFrameworks.count > Self.completedLimit,
            let oldest = completedFrameworks.values.min(by: { Self.removalOrder($0) < Self.removalOrder($1) })
        {
            completedFrameworks.removeValue(forKey: oldest.id)
            touch(.completedFramework(oldest.id))
        }
        changes.append(.frameworkRemoved(record, killed: killed))
    }

    /// Orders removed frameworks by when they were removed, then by ID.
    static func removalOrder(_ record: FrameworkRecord) -> (UInt64, String) {
        if case .removed(let at) = record.state { return (at, record.id.value) }
        return (record.registeredAtNanos, record.id.value)
    }

    /// Moves a finished task to the bounded completed list.
    mutating func complete(_ task: TaskRecord) {
        let sequence = nextCompletedSequence
        nextCompletedSequence += 1
        touch(.clock)
        completedTasks[sequence] = task
        touch(.completedTask(sequence))
        if completedTasks.count > Self.completedLimit, let oldest = completedTasks.keys.min() {
            completedTasks.removeValue(forKey: oldest)
            touch(.completedTask(oldest))
        }
    }

    /// A status update the master makes for `task`.
    func masterStatus(for task: TaskRecord, state: TaskState, reason: TaskStatus.Reason, message: String, at: UInt64)
        -> TaskStatus
    {
        TaskStatus(
            taskID: task.key.taskID, state: state, message: message, source: .master, reason: reason,
            agentID: task.agentID, executorID: task.executor?.executorID, timestamp: Double(at) / 1e9)
    }
}
