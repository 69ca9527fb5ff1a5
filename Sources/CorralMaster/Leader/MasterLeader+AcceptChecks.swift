import CorralModel

extension MasterLeader {
    /// Checks an operation's tasks in turn against what the offers have left and what the
    /// framework already runs (Mesos's `validation::task::validate`): the ones that pass are
    /// taken from `budget` and `book`, the others come back with what is wrong.
    func check(
        _ tasks: [TaskInfo], group: ExecutorInfo?, framework id: FrameworkID, agent agentID: AgentID,
        book: inout AcceptBook, budget: inout Resources
    ) -> (passed: [TaskInfo], failures: [(TaskInfo, String)]) {
        var passed: [TaskInfo] = []
        var failures: [(TaskInfo, String)] = []
        for task in tasks {
            if let why = validate(task, framework: id, agent: agentID, book: book, inGroup: group != nil) {
                failures.append((task, why))
                continue
            }
            var need = Resources(task.resources).unallocated
            if let executor = task.executor, book.isNew(executor, framework: id, agent: agentID, registry: machine.registry) {
                need += Resources(executor.resources).unallocated
            }
            guard budget.contains(need) else {
                failures.append((task, "task \(task.taskID) needs \(need), more than the offers have left (\(budget))"))
                continue
            }
            budget -= need
            book.take([task], group: nil)
            passed.append(task)
        }
        return (passed, failures)
    }

    /// What is wrong with a task, or nil.
    private func validate(
        _ task: TaskInfo, framework id: FrameworkID, agent agentID: AgentID, book: AcceptBook, inGroup: Bool
    ) -> String? {
        let value = task.taskID.value
        if !task.taskID.namesADirectory {
            return "task ID \"\(value)\" is not valid: it must be non-empty and hold no '/' or NUL, nor be '.' or '..'"
        }
        if book.inUse.contains(task.taskID) { return "task ID \(value) is already in use" }
        if task.agentID != agentID { return "task \(value) names agent \(task.agentID), but the offers are on \(agentID)" }
        if task.resources.isEmpty { return "task \(value) uses no resources" }
        if let bad = Self.negative(task.resources) { return "task \(value) asks for a negative amount of \(bad)" }
        if inGroup {
            if task.executor != nil { return "task \(value) is in a group and must not have its own executor" }
        } else if (task.command == nil) == (task.executor == nil) {
            return "task \(value) must have exactly one of command and executor"
        }
        guard let executor = task.executor else { return nil }
        if let type = executor.type, type != .custom {
            return "task \(value): 'ExecutorInfo.type' must be 'CUSTOM' in a LAUNCH (it is \(type.rawValue))"
        }
        if executor.command == nil { return "task \(value): 'ExecutorInfo.command' must be set" }
        return checkExecutor(executor, framework: id, agent: agentID, book: book)
    }

    /// What is wrong with an executor, or nil: its framework, its resources, and whether it
    /// matches the executor of that ID already on the agent.
    func checkExecutor(_ executor: ExecutorInfo, framework id: FrameworkID, agent agentID: AgentID, book: AcceptBook) -> String? {
        let name = executor.executorID.value
        if name.isEmpty || name.contains("/") || name == "." || name == ".." {
            return "executor ID \"\(name)\" is not valid"
        }
        if let other = executor.frameworkID, other != id {
            return "executor \(name) names framework \(other), but the ACCEPT comes from \(id)"
        }
        if let bad = Self.negative(executor.resources) { return "executor \(name) asks for a negative amount of \(bad)" }
        if let existing = book.existing(executor.executorID, framework: id, agent: agentID, registry: machine.registry) {
            var mine = executor
            var theirs = existing
            mine.frameworkID = nil
            theirs.frameworkID = nil
            if mine != theirs {
                return "executor \(name) differs from the executor of that ID already on agent \(agentID); "
                    + "use a new executor ID or the same ExecutorInfo"
            }
        }
        return nil
    }

    /// What is wrong with a task group's executor, or nil (Mesos's `validateType`).
    static func checkGroupExecutor(_ executor: ExecutorInfo) -> String? {
        switch executor.type {
        case nil: return "'ExecutorInfo.type' must be set for a task group's executor"
        case .default?:
            if executor.command != nil { return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor" }
        case .custom?:
            if executor.command == nil { return "'ExecutorInfo.command' must be set for 'CUSTOM' executor" }
        case let other?: return "executor type \(other.rawValue) is not known; use DEFAULT or CUSTOM"
        }
        return nil
    }

    private static func negative(_ resources: [Resource]) -> String? {
        resources.first { $0.type == .scalar && ($0.scalar ?? .zero) < .zero }?.name
    }

    /// A task status from the master for a task that was never launched (no UUID, nothing
    /// to acknowledge, nothing in the replicated log), as Mesos's `forward(update, UPID(), …)`.
    /// TASK_DROPPED is TASK_LOST for a framework that is not PARTITION_AWARE, as in Mesos.
    func refuse(_ task: TaskInfo, of id: FrameworkID, state: TaskState, reason: TaskStatus.Reason, message: String) {
        var state = state
        if state == .dropped, !(machine.registry.frameworks[id]?.isPartitionAware ?? false) { state = .lost }
        let status = TaskStatus(
            taskID: task.taskID, state: state, message: message, source: .master, reason: reason, agentID: task.agentID)
        logger.info(
            "task refused",
            metadata: ["framework": "\(id)", "task": "\(task.taskID)", "state": "\(state)", "reason": "\(reason)"])
        sendStatus(status, to: id)
    }

    /// Drops an operation that is not a launch, as Mesos's `Master::drop`: OPERATION_ERROR
    /// when the framework asked for feedback (set `id`), a log line in any case.
    func dropOperation(_ operation: Offer.Operation, of id: FrameworkID, agent: AgentID?, message: String) {
        logger.warning(
            "operation dropped",
            metadata: ["framework": "\(id)", "operation": "\(operation.type?.rawValue ?? "UNKNOWN")", "why": "\(message)"])
        guard let operationID = operation.id else { return }
        var event = SchedulerEvent(type: .updateOperationStatus)
        event.updateOperationStatus = SchedulerEvent.UpdateOperationStatus(
            status: OperationStatus(operationID: operationID, state: .error, message: message, agentID: agent))
        send(event, to: id)
    }
}
