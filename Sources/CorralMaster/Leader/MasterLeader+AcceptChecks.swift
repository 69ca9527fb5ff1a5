import CorralModel

extension MasterLeader {
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
