import CorralModel
import Foundation

extension MasterLeader {
    /// Every scheduler call except SUBSCRIBE, from the subscribed scheduler's stream.
    func handle(_ call: SchedulerCall, streamID: String?) async throws(MasterError) {
        let id = try requireSession(call, streamID: streamID)
        switch call.type ?? .unknown {
        case .teardown:
            try await commitOrFail(.removeFramework(id: id, atNanos: nowNanos()))
        case .accept:
            guard let accept = call.accept else { throw missing("accept") }
            try await self.accept(accept, from: id)
        case .decline:
            guard let decline = call.decline else { throw missing("decline") }
            let refuse = decline.filters?.refuseSeconds ?? Filters.defaultRefuseSeconds
            for offerID in decline.offerIDs {
                guard let offer = offers[offerID], offer.frameworkID == id else { continue }
                offers.removeValue(forKey: offerID)
                allocator.decline(offer: offer.decision.offerID, refuseSeconds: refuse, nowMillis: nowMillis())
            }
        case .revive:
            let roles = call.revive?.roles ?? []
            if roles.isEmpty { allocator.revive(framework: id.value, role: nil) }
            for role in roles { allocator.revive(framework: id.value, role: role) }
            step(.allocationWanted)
        case .suppress:
            let roles = call.suppress?.roles ?? []
            if roles.isEmpty { allocator.suppress(framework: id.value, role: nil) }
            for role in roles { allocator.suppress(framework: id.value, role: role) }
        case .kill:
            guard let kill = call.kill else { throw missing("kill") }
            killTask(TaskKey(id, kill.taskID), policy: kill.killPolicy)
        case .shutdown:
            guard let shutdown = call.shutdown else { throw missing("shutdown") }
            for task in machine.registry.tasks(of: id)
            where task.executor?.executorID == shutdown.executorID && task.agentID == shutdown.agentID {
                killTask(task.key, policy: nil)
            }
        case .acknowledge:
            guard let ack = call.acknowledge, let uuid = ack.uuid else { throw missing("acknowledge.uuid") }
            // Answered at once, as Mesos does, and committed in the background with other
            // acknowledgements: one lost in a fail-over only means the update is sent again
            // (at least once). Acknowledging twice is not an error either.
            propose(.acknowledge(frameworkID: id, taskID: ack.taskID, uuid: uuid))
        case .reconcile:
            reconcile(call.reconcile?.tasks ?? [], for: id)
        case .message:
            guard let message = call.message else { throw missing("message") }
            var event = agentEvent(.message)
            event.message = AgentCall.FrameworkMessage(frameworkID: id, executorID: message.executorID, data: message.data ?? [])
            send(event, toAgent: message.agentID)
        case .request:
            break  // Resource requests are advisory; the built-in allocators ignore them, as Mesos's does.
        case .updateFramework:
            guard let info = call.updateFramework?.frameworkInfo else { throw missing("update_framework") }
            guard info.id == id else {
                throw MasterError(code: .request, message: "update_framework.framework_info.id must be the caller's framework_id")
            }
            try await commitOrFail(.updateFramework(info: info, atNanos: nowNanos()))
            allocator.addFramework(id.value, roles: info.effectiveRoles)
            // As Mesos: the listed roles are suppressed, every other role of the framework
            // is not (its refuse filters stay; REVIVE is what clears them).
            allocator.setSuppressedRoles(framework: id.value, roles: Set(call.updateFramework?.suppressedRoles ?? []))
            step(.allocationWanted)
        case .subscribe:
            throw MasterError(code: .request, message: "SUBSCRIBE opens a stream; send it without Mesos-Stream-Id")
        default:
            throw MasterError(code: .request, message: "call type \(call.type?.rawValue ?? "UNKNOWN") is not supported")
        }
    }

    private func missing(_ field: String) -> MasterError {
        MasterError(code: .request, message: "the call's \"\(field)\" field is missing")
    }

    private func commitOrFail(_ command: RegistryCommand) async throws(MasterError) {
        let outcome: RegistryOutcome
        do {
            outcome = try await commit(command)
        } catch {
            throw MasterError.committing("the call", error)
        }
        if let error = outcome.error { throw MasterError(code: .request, message: error) }
    }

    /// KILL: the agent is told (under this term); a launch the agent never heard of ends here.
    func killTask(_ key: TaskKey, policy: KillPolicy?) {
        guard let task = machine.registry.tasks[key], !task.isTerminal else {
            // A task that already ended keeps its one terminal state: the scheduler hears it
            // again rather than a TASK_LOST that contradicts the registry (found by corral-chaos).
            if let ended = machine.registry.tasks[key] ?? completedTask(key) {
                sendStatus(reconciled(ended.status), to: key.frameworkID)
                return
            }
            var status = TaskStatus(taskID: key.taskID, state: .lost, message: "the task is not known", source: .master)
            status.reason = .reconciliation
            sendStatus(status, to: key.frameworkID)
            return
        }
        if core.agents[task.agentID] != nil {
            var event = agentEvent(.kill)
            event.kill = AgentEvent.Kill(frameworkID: key.frameworkID, taskID: key.taskID, killPolicy: policy)
            send(event, toAgent: task.agentID)
        } else if task.state == .staging {
            var status = TaskStatus(
                taskID: key.taskID, state: .killed, message: "killed before its agent was told to launch it",
                source: .master, reason: .taskKilledDuringLaunch, agentID: task.agentID, uuid: machineUUID())
            status.executorID = task.executor?.executorID
            propose(.statusUpdate(frameworkID: key.frameworkID, status: status, atNanos: nowNanos()))
        }
    }

    /// RECONCILE: answers from the registry, without UUIDs (nothing to acknowledge).
    func reconcile(_ asked: [SchedulerCall.Reconcile.Task], for id: FrameworkID) {
        let registry = machine.registry
        if asked.isEmpty {
            for task in registry.tasks(of: id) { sendStatus(answer(task, to: id), to: id) }
            return
        }
        for item in asked {
            let key = TaskKey(id, item.taskID)
            if let task = registry.tasks[key] {
                sendStatus(answer(task, to: id), to: id)
            } else if let done = completedTask(key) {
                sendStatus(reconciled(done.status), to: id)
            } else {
                var status = TaskStatus(taskID: item.taskID, state: .unknown, source: .master, agentID: item.agentID)
                status.reason = .reconciliation
                sendStatus(status, to: id)
            }
        }
    }

    /// The latest completed record of `key`, if the registry still keeps one.
    private func completedTask(_ key: TaskKey) -> TaskRecord? {
        machine.registry.completedTasks.sorted(by: { $0.key < $1.key }).last(where: { $0.value.key == key })?.value
    }

    /// A reconciliation answer for a live task. A framework without PARTITION_AWARE was told
    /// TASK_LOST when the task's agent became unreachable, and hears that again, never the
    /// TASK_UNREACHABLE it does not know (as Mesos answers it; found by corral-chaos).
    private func answer(_ task: TaskRecord, to id: FrameworkID) -> TaskStatus {
        var status = reconciled(task.status)
        if status.state == .unreachable && !(machine.registry.frameworks[id]?.isPartitionAware ?? false) { status.state = .lost }
        return status
    }

    private func reconciled(_ status: TaskStatus) -> TaskStatus {
        var copy = status
        copy.uuid = nil
        copy.reason = .reconciliation
        copy.source = .master
        return copy
    }

    /// A random UUID for an update the leader makes before proposing it.
    func machineUUID() -> [UInt8] {
        withUnsafeBytes(of: UUID().uuid) { Array($0) }
    }
}
