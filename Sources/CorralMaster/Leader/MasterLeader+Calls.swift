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
            let named = Set(decline.offerIDs)
            for offer in core.removeOffers(where: { named.contains($0.offer.id) && $0.frameworkID == id }) {
                core.allocator.decline(offer: offer.decision.offerID, refuseSeconds: refuse, nowMillis: nowMillis())
            }
        case .revive:
            let roles = call.revive?.roles ?? []
            if roles.isEmpty { core.allocator.revive(framework: id.value, role: nil) }
            for role in roles { core.allocator.revive(framework: id.value, role: role) }
            step(.allocationWanted)
        case .suppress:
            let roles = call.suppress?.roles ?? []
            if roles.isEmpty { core.allocator.suppress(framework: id.value, role: nil) }
            for role in roles { core.allocator.suppress(framework: id.value, role: role) }
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
            let answers = LeaderStateMachine.reconcile(call.reconcile?.tasks ?? [], for: id, registry: machine.registry)
            for status in answers { sendStatus(status, to: id) }
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
            core.allocator.addFramework(id.value, roles: info.effectiveRoles)
            // As Mesos: the listed roles are suppressed, every other role of the framework
            // is not (its refuse filters stay; REVIVE is what clears them).
            core.allocator.setSuppressedRoles(framework: id.value, roles: Set(call.updateFramework?.suppressedRoles ?? []))
            step(.allocationWanted)
        case .subscribe:
            throw MasterError(code: .request, message: "SUBSCRIBE opens a stream; send it without Mesos-Stream-Id")
        default:
            throw MasterError(code: .request, message: "call type \(call.type?.rawValue ?? "UNKNOWN") is not supported")
        }
    }

    private func missing(_ field: String) -> MasterError { LeaderStateMachine.missing(field) }

    private func commitOrFail(_ command: RegistryCommand) async throws(MasterError) {
        let outcome: RegistryOutcome
        do {
            outcome = try await commit(command)
        } catch {
            throw MasterError.committing("the call", error)
        }
        if let error = outcome.error { throw MasterError(code: .request, message: error) }
    }

    /// KILL: see `LeaderStateMachine.killPlan`.
    func killTask(_ key: TaskKey, policy: KillPolicy?) {
        switch core.killPlan(key, registry: machine.registry, uuid: machineUUID()) {
        case .answer(let status):
            sendStatus(status, to: key.frameworkID)
        case .tellAgent(let agent):
            var event = agentEvent(.kill)
            event.kill = AgentEvent.Kill(frameworkID: key.frameworkID, taskID: key.taskID, killPolicy: policy)
            send(event, toAgent: agent)
        case .endBeforeLaunch(let status):
            propose(.statusUpdate(frameworkID: key.frameworkID, status: status, atNanos: nowNanos()))
        case .wait:
            break
        }
    }

    /// A random UUID for an update the leader makes before proposing it.
    func machineUUID() -> [UInt8] {
        withUnsafeBytes(of: UUID().uuid) { Array($0) }
    }
}
