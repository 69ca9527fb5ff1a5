import CorralModel
import CorralReplication

extension MasterLeader {
    /// ACCEPT, as Mesos's `Master::accept`: each operation stands alone. Every task is checked
    /// against the live offers and the registry, and what passes is committed as a `launch`
    /// before the agent hears of it. A bad operation is dropped without touching the
    /// replicated log: its tasks get TASK_ERROR (invalid), or TASK_DROPPED (TASK_LOST for
    /// frameworks that are not PARTITION_AWARE) when the offers are not good; an operation
    /// Corral does not do gets OPERATION_ERROR when it asked for feedback. The good operations
    /// in the same call go ahead, and what they leave of the offers returns to the allocator.
    func accept(_ accept: SchedulerCall.Accept, from id: FrameworkID) async throws(MasterError) {
        let refuseSeconds = accept.filters?.refuseSeconds ?? Filters.defaultRefuseSeconds
        let (used, problem) = core.takeOffers(accept.offerIDs, of: id)
        if let problem {
            for offer in used {
                core.allocator.decline(offer: offer.decision.offerID, refuseSeconds: 0, nowMillis: nowMillis())
            }
            dropAll(accept.operations, of: id, invalidOffers: problem)
            step(.allocationWanted)
            return
        }
        guard let agentID = used.first?.agentID, let role = used.first?.decision.role else { return }
        var remaining = Resources()
        for offer in used { remaining += offer.resources.unallocated }
        var book = AcceptBook(inUse: Set(machine.registry.tasks(of: id).map(\.key.taskID)))
        var launched = ResourceQuantities()
        for operation in accept.operations {
            guard operation.type == .launch || operation.type == .launchGroup else {
                let name = operation.type?.rawValue ?? "UNKNOWN"
                dropOperation(
                    operation, of: id, agent: agentID,
                    message: "Corral does not support \(name) operations yet; it accepts LAUNCH and LAUNCH_GROUP")
                continue
            }
            let executor = operation.launchGroup?.executor
            let reason: TaskStatus.Reason = executor == nil ? .taskInvalid : .taskGroupInvalid
            if operation.id != nil {
                for task in Self.tasks(of: operation) {
                    refuse(task, of: id, state: .error, reason: reason,
                           message: "The `id` field cannot be set on \(operation.type?.rawValue ?? "LAUNCH") operations")
                }
                continue
            }
            let tasks = Self.tasks(of: operation)
            let checked = LeaderStateMachine.checkLaunch(
                tasks, group: executor, framework: id, agent: agentID, book: book, budget: remaining,
                registry: machine.registry)
            for (task, why) in checked.failures { refuse(task, of: id, state: .error, reason: reason, message: why) }
            let passed = checked.passed
            guard !passed.isEmpty else { continue }
            let consumed = ResourceMapping.quantities(remaining - checked.budget)
            var executorsCost = consumed
            executorsCost -= ResourceMapping.quantities(Resources(passed.flatMap(\.resources)))
            if await commitLaunch(
                passed, executor: executor, framework: id, agent: agentID, role: role, executorsCost: executorsCost)
            {
                book = checked.book
                launched += consumed
                remaining = checked.budget
            }
        }
        let now = nowMillis()
        for offer in used {
            let part = launched.clamped(to: offer.decision.resources)
            launched -= part
            core.allocator.accept(offer: offer.decision.offerID, launched: part, refuseSeconds: refuseSeconds, nowMillis: now)
        }
        step(.allocationWanted)
    }

    /// Offers that are not good fail every operation, as in Mesos: tasks are TASK_DROPPED
    /// (TASK_LOST for frameworks that are not PARTITION_AWARE), other operations OPERATION_ERROR.
    private func dropAll(_ operations: [Offer.Operation], of id: FrameworkID, invalidOffers problem: String) {
        for operation in operations {
            guard operation.type == .launch || operation.type == .launchGroup else {
                dropOperation(operation, of: id, agent: nil, message: "Operation attempted with invalid offers: \(problem)")
                continue
            }
            for task in Self.tasks(of: operation) {
                refuse(task, of: id, state: .dropped, reason: .invalidOffers,
                       message: "Task launched with invalid offers: \(problem)")
            }
        }
    }

    /// Commits a launch and tells the agent; false when the registry refused it.
    ///
    /// `executorsCost` is what the executors this launch starts hold; the allocator gets it
    /// back with the first task. That may be early, never late: offers are carved from what
    /// the registry says is free, so an early return cannot over-commit the agent.
    private func commitLaunch(
        _ tasks: [TaskInfo], executor: ExecutorInfo?, framework id: FrameworkID, agent agentID: AgentID, role: String,
        executorsCost: ResourceQuantities
    ) async -> Bool {
        let command = RegistryCommand.launch(
            frameworkID: id, agentID: agentID, role: role, tasks: tasks, executor: executor, atNanos: nowNanos())
        let broken = DeliberateBreak.active.contains(.launchBeforeCommit)
        if broken { sendLaunch(tasks, executor: executor, framework: id, agent: agentID) }
        let outcome: RegistryOutcome
        do {
            outcome = try await commit(command)
        } catch let error as ReplicationError where error.code == .outcomeUnknown {
            // The launch may still be committed by the next leader, which then sends it to
            // the agent: TASK_DROPPED would be a lie. The scheduler learns the task's fate by
            // reconciling with the next leader.
            logger.notice(
                "launch outcome unknown after a leadership change",
                metadata: ["framework": "\(id)", "tasks": "\(tasks.map(\.taskID))", "error": "\(error)"])
            return false
        } catch {
            for task in tasks {
                refuse(task, of: id, state: .dropped, reason: .masterDisconnected, message: "the launch was not committed: \(error)")
            }
            return false
        }
        if let error = outcome.error {
            let reason = TaskStatus.Reason(rawValue: outcome.reason ?? "REASON_TASK_INVALID")
            // Offers or an agent that are no longer good drop the task; a bad task is an error.
            let state: TaskState = reason == .invalidOffers || reason == .agentUnknown ? .dropped : .error
            for task in tasks { refuse(task, of: id, state: state, reason: reason, message: error) }
            return false
        }
        core.charge(tasks, executorsCost: executorsCost, framework: id, agent: agentID, role: role)
        if !broken { sendLaunch(tasks, executor: executor, framework: id, agent: agentID) }
        return true
    }

    func sendLaunch(_ tasks: [TaskInfo], executor: ExecutorInfo?, framework id: FrameworkID, agent agentID: AgentID) {
        var event = agentEvent(.launch)
        event.launch = AgentEvent.Launch(
            frameworkID: id, frameworkInfo: machine.registry.frameworks[id]?.info, tasks: tasks, executor: executor)
        send(event, toAgent: agentID)
    }

    static func tasks(of operation: Offer.Operation) -> [TaskInfo] {
        operation.launch?.taskInfos ?? operation.launchGroup?.taskGroup.tasks ?? []
    }
}
