import CorralModel
import CorralReplication

extension MasterLeader {
    /// ACCEPT: every task is checked against the live offers and the registry, and what passes
    /// is committed as a `launch` before the agent hears of it. A task that fails gets
    /// TASK_ERROR (invalid) or TASK_DROPPED (bad offers) and is never launched.
    func accept(_ accept: SchedulerCall.Accept, from id: FrameworkID) async throws(MasterError) {
        for operation in accept.operations where operation.type != .launch && operation.type != .launchGroup {
            throw MasterError(
                code: .request,
                message: "operation \(operation.type?.rawValue ?? "UNKNOWN") is not supported yet; Corral accepts LAUNCH and LAUNCH_GROUP")
        }
        let refuseSeconds = accept.filters?.refuseSeconds ?? Filters.defaultRefuseSeconds
        var used: [LiveOffer] = []
        var problem: String?
        if accept.offerIDs.isEmpty { problem = "the ACCEPT names no offers" }
        if Set(accept.offerIDs).count != accept.offerIDs.count { problem = "an offer is named twice" }
        for offerID in accept.offerIDs {
            guard let offer = offers[offerID], offer.frameworkID == id else {
                problem = "offer \(offerID) is not outstanding for this framework (unknown, rescinded or already used)"
                continue
            }
            if let first = used.first, first.agentID != offer.agentID || first.decision.role != offer.decision.role {
                problem = "the offers span more than one agent or role"
            }
            used.append(offer)
        }
        for offer in used { offers.removeValue(forKey: offer.offer.id) }
        if let problem {
            for offer in used {
                allocator.decline(offer: offer.decision.offerID, refuseSeconds: 0, nowMillis: nowMillis())
            }
            for task in accept.operations.flatMap(Self.tasks) {
                refuse(task, of: id, state: .dropped, reason: .invalidOffers, message: problem)
            }
            allocationWanted = true
            return
        }
        guard let agentID = used.first?.agentID, let role = used.first?.decision.role else { return }
        var remaining = Resources()
        for offer in used { remaining += offer.resources.flattened }
        var inUse = Set(machine.registry.tasks(of: id).map(\.key.taskID))
        var launched = ResourceQuantities()
        for operation in accept.operations {
            let executor = operation.launchGroup?.executor
            var passed: [TaskInfo] = []
            var failures: [(TaskInfo, String)] = []
            var budget = remaining
            for task in Self.tasks(of: operation) {
                if let why = validate(task, agentID: agentID, inUse: inUse, inGroup: executor != nil) {
                    failures.append((task, why))
                    continue
                }
                let need = Resources(task.resources).flattened
                guard budget.contains(need) else {
                    failures.append((task, "the task needs \(need), more than the offers have left (\(budget))"))
                    continue
                }
                budget -= need
                inUse.insert(task.taskID)
                passed.append(task)
            }
            if let executor {
                let need = Resources(executor.resources).flattened
                if failures.isEmpty && !budget.contains(need) {
                    failures = passed.map { ($0, "the executor needs \(need), more than the offers have left") }
                } else if failures.isEmpty {
                    budget -= need
                }
                if !failures.isEmpty {
                    // A task group launches whole or not at all.
                    let why = failures.map(\.1).joined(separator: "; ")
                    failures = Self.tasks(of: operation).map { ($0, why) }
                    passed = []
                }
            }
            for (task, why) in failures {
                refuse(task, of: id, state: .error, reason: executor == nil ? .taskInvalid : .taskGroupInvalid, message: why)
            }
            guard !passed.isEmpty else { continue }
            if await commitLaunch(passed, executor: executor, framework: id, agent: agentID, role: role) {
                remaining = budget
                launched += ResourceMapping.quantities(Resources(passed.flatMap(\.resources)))
                if let executor { launched += ResourceMapping.quantities(Resources(executor.resources)) }
            }
        }
        let now = nowMillis()
        for offer in used {
            let part = launched.clamped(to: offer.decision.resources)
            launched -= part
            allocator.accept(offer: offer.decision.offerID, launched: part, refuseSeconds: refuseSeconds, nowMillis: now)
        }
        allocationWanted = true
    }

    /// Commits a launch and tells the agent; false when the registry refused it.
    private func commitLaunch(
        _ tasks: [TaskInfo], executor: ExecutorInfo?, framework id: FrameworkID, agent agentID: AgentID, role: String
    ) async -> Bool {
        let command = RegistryCommand.launch(
            frameworkID: id, agentID: agentID, role: role, tasks: tasks, executor: executor, atNanos: nowNanos())
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
        for task in tasks {
            charges[TaskKey(id, task.taskID)] = Charge(
                agent: agentID, framework: id, role: role, quantities: ResourceMapping.quantities(Resources(task.resources)))
        }
        sendLaunch(tasks, executor: executor, framework: id, agent: agentID)
        return true
    }

    func sendLaunch(_ tasks: [TaskInfo], executor: ExecutorInfo?, framework id: FrameworkID, agent agentID: AgentID) {
        var event = agentEvent(.launch)
        event.launch = AgentEvent.Launch(
            frameworkID: id, frameworkInfo: machine.registry.frameworks[id]?.info, tasks: tasks, executor: executor)
        send(event, toAgent: agentID)
    }

    private func validate(_ task: TaskInfo, agentID: AgentID, inUse: Set<TaskID>, inGroup: Bool) -> String? {
        let value = task.taskID.value
        if value.isEmpty || value.contains("/") || value.contains("\0") || value == "." || value == ".." {
            return "task ID \"\(value)\" is not valid"
        }
        if inUse.contains(task.taskID) { return "task ID \(value) is already in use" }
        if task.agentID != agentID { return "the task names agent \(task.agentID), but the offers are on \(agentID)" }
        if task.resources.isEmpty { return "the task uses no resources" }
        if inGroup {
            if task.executor != nil { return "a task in a group must not have its own executor" }
        } else if (task.command == nil) == (task.executor == nil) {
            return "the task must have exactly one of command and executor"
        }
        return nil
    }

    private func refuse(_ task: TaskInfo, of id: FrameworkID, state: TaskState, reason: TaskStatus.Reason, message: String) {
        let status = TaskStatus(
            taskID: task.taskID, state: state, message: message, source: .master, reason: reason, agentID: task.agentID)
        sendStatus(status, to: id)
    }

    static func tasks(of operation: Offer.Operation) -> [TaskInfo] {
        operation.launch?.taskInfos ?? operation.launchGroup?.taskGroup.tasks ?? []
    }
}
