import CorralModel

extension LeaderStateMachine {
    /// Offers that are not good fail every operation, as in Mesos: tasks are TASK_DROPPED
    /// (TASK_LOST for frameworks that are not PARTITION_AWARE), other operations OPERATION_ERROR.
    func dropAll(
        _ operations: [Offer.Operation],
        of id: FrameworkID,
        invalidOffers problem: String,
        registry: Registry
    )
        -> [Action]
    {
        operations.flatMap { operation -> [Action] in
            guard operation.type == .launch || operation.type == .launchGroup else {
                return dropOperation(
                    operation,
                    of: id,
                    agent: nil,
                    message: "Operation attempted with invalid offers: \(problem)"
                )
            }
            return Self.tasks(of: operation).flatMap {
                refuse(
                    $0,
                    of: id,
                    state: .dropped,
                    reason: .invalidOffers,
                    message: "Task launched with invalid offers: \(problem)",
                    registry: registry
                )
            }
        }
    }

    /// A task status from the master for a task that was never launched (no UUID, nothing
    /// to acknowledge, nothing in the replicated log), as Mesos's `forward(update, UPID(), …)`.
    /// TASK_DROPPED is TASK_LOST for a framework that is not PARTITION_AWARE, as in Mesos.
    func refuse(
        _ task: TaskInfo,
        of id: FrameworkID,
        state: TaskState,
        reason: TaskStatus.Reason,
        message: String,
        registry: Registry
    ) -> [Action] {
        var state = state
        if state == .dropped, !(registry.frameworks[id]?.isPartitionAware ?? false) { state = .lost }
        let status = TaskStatus(
            taskID: task.taskID,
            state: state,
            message: message,
            source: .master,
            reason: reason,
            agentID: task.agentID
        )
        return [
            .log(
                LogLine(
                    level: .info,
                    message: "task refused",
                    metadata: [
                        "framework": id.value, "task": task.taskID.value, "state": "\(state)",
                        "reason": "\(reason)",
                    ]
                )
            ),
            Self.statusEvent(status, to: id),
        ]
    }

    /// Drops an operation that is not a launch, as Mesos's `Master::drop`: OPERATION_ERROR
    /// when the framework asked for feedback (set `id`), a log line in any case.
    func dropOperation(_ operation: Offer.Operation, of id: FrameworkID, agent: AgentID?, message: String)
        -> [Action]
    {
        var actions: [Action] = [
            .log(
                LogLine(
                    level: .warning,
                    message: "operation dropped",
                    metadata: [
                        "framework": id.value, "operation": operation.type?.rawValue ?? "UNKNOWN",
                        "why": message,
                    ]
                )
            )
        ]
        guard let operationID = operation.id else { return actions }
        let status = OperationStatus(operationID: operationID, state: .error, message: message, agentID: agent)
        actions.append(.toScheduler(id, .operationStatus(status)))
        return actions
    }

    static func tasks(of operation: Offer.Operation) -> [TaskInfo] {
        operation.launch?.taskInfos ?? operation.launchGroup?.taskGroup.tasks ?? []
    }
}
