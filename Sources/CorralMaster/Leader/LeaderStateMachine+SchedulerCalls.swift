import CorralModel

extension LeaderStateMachine {
    /// Every scheduler call except SUBSCRIBE, from the subscribed scheduler's stream.
    package mutating func schedulerCall(
        _ call: SchedulerCall,
        streamID: String?,
        id: CallID,
        in context: LeaderContext
    )
        -> [Action]
    {
        let framework: FrameworkID
        do {
            framework = try session(call, streamID: streamID)
        } catch {
            return [.reply(id, .failed(error))]
        }
        let done: Action = .reply(id, .done)
        func missing(_ field: String) -> [Action] { [.reply(id, .failed(Self.missing(field)))] }
        func badRequest(_ message: String) -> [Action] { [.reply(id, .failed(MasterError(code: .request, message: message)))] }
        let registry = context.registry
        switch call.type ?? .unknown {
        case .teardown:
            return [
                .commit(
                    .removeFramework(id: framework, atNanos: nanos(context)),
                    then: .answer(id, what: "the call", refusals: .request)
                )
            ]
        case .accept:
            guard let accept = call.accept else { return missing("accept") }
            return self.accept(accept, from: framework, id: id, in: context)
        case .decline:
            guard let decline = call.decline else { return missing("decline") }
            let refuse = decline.filters?.refuseSeconds ?? Filters.defaultRefuseSeconds
            let named = Set(decline.offerIDs)
            let declined = offers.values.filter { named.contains($0.offer.id) && $0.frameworkID == framework }
            // The `offer-twice` break leaves a declined offer outstanding.
            if !breaks.contains(.offerTwice) {
                removeOffers(where: { named.contains($0.offer.id) && $0.frameworkID == framework })
            }
            for offer in declined.sorted(by: { $0.offer.id < $1.offer.id }) {
                allocator.decline(
                    offer: offer.decision.offerID,
                    refuseSeconds: refuse,
                    nowMillis: millis(context.now)
                )
            }
            return [done]
        case .revive:
            let roles = call.revive?.roles ?? []
            if roles.isEmpty { allocator.revive(framework: framework.value, role: nil) }
            for role in roles { allocator.revive(framework: framework.value, role: role) }
            return step(.allocationWanted, in: context) + [done]
        case .suppress:
            let roles = call.suppress?.roles ?? []
            if roles.isEmpty { allocator.suppress(framework: framework.value, role: nil) }
            for role in roles { allocator.suppress(framework: framework.value, role: role) }
            return [done]
        case .kill:
            guard let kill = call.kill else { return missing("kill") }
            return self.kill(TaskKey(framework, kill.taskID), policy: kill.killPolicy, in: context) + [done]
        case .shutdown:
            guard let shutdown = call.shutdown else { return missing("shutdown") }
            let tasks = registry.tasks(of: framework).filter {
                $0.executor?.executorID == shutdown.executorID && $0.agentID == shutdown.agentID
            }
            return tasks.flatMap { self.kill($0.key, policy: nil, in: context) } + [done]
        case .acknowledge:
            guard let ack = call.acknowledge, let uuid = ack.uuid else { return missing("acknowledge.uuid") }
            // Answered at once, as Mesos does, and committed in the background with other
            // acknowledgements: one lost in a fail-over only means the update is sent again
            // (at least once). Acknowledging twice is not an error either.
            return [.propose(.acknowledge(frameworkID: framework, taskID: ack.taskID, uuid: uuid)), done]
        case .reconcile:
            let answers = Self.reconcile(call.reconcile?.tasks ?? [], for: framework, registry: registry)
            return answers.map { Self.statusEvent($0, to: framework) } + [done]
        case .reconcileOperations:
            let asked = call.reconcileOperations?.operations ?? []
            // None asked: every operation status the framework has not acknowledged.
            if asked.isEmpty {
                let kept = registry.frameworks[framework]?.operations ?? []
                return kept.map { Self.reconciliationAnswer($0, to: framework) } + [done]
            }
            return asked.map { Self.operationStatus(of: $0, registry: registry, to: framework) } + [done]
        case .acknowledgeOperationStatus:
            guard let ack = call.acknowledgeOperationStatus, let uuid = ack.uuid else {
                return missing("acknowledge_operation_status.uuid")
            }
            // As for task updates: answered at once, committed in the background.
            return [.propose(.acknowledgeOperation(frameworkID: framework, operationID: ack.operationID, uuid: uuid)), done]
        case .message:
            guard let message = call.message else { return missing("message") }
            var event = agentEvent(.message)
            event.message = AgentCall.FrameworkMessage(
                frameworkID: framework,
                executorID: message.executorID,
                data: message.data ?? []
            )
            return [.toAgent(message.agentID, event), done]
        case .acceptInverseOffers, .declineInverseOffers:
            let accepting = call.type == .acceptInverseOffers
            guard let answer = accepting ? call.acceptInverseOffers : call.declineInverseOffers else {
                return missing(accepting ? "accept_inverse_offers" : "decline_inverse_offers")
            }
            return answerInverseOffers(answer, accept: accepting, from: framework, in: context) + [done]
        case .request:
            return [done]  // Resource requests are advisory; the built-in allocators ignore them, as Mesos's does.
        case .updateFramework:
            guard let info = call.updateFramework?.frameworkInfo else { return missing("update_framework") }
            guard info.id == framework else {
                return badRequest("update_framework.framework_info.id must be the caller's framework_id")
            }
            let constraints = call.updateFramework?.offerConstraints
            do { try OfferConstraintMatcher.check(constraints, roles: info.effectiveRoles) } catch { return [.reply(id, .failed(error))] }
            return [
                .commit(
                    .updateFramework(info: info, atNanos: nanos(context)),
                    then: .frameworkUpdated(
                        id,
                        info: info,
                        suppressed: call.updateFramework?.suppressedRoles ?? [],
                        constraints: constraints
                    )
                )
            ]
        case .subscribe:
            return badRequest("SUBSCRIBE opens a stream; send it without Mesos-Stream-Id")
        default:
            return badRequest("call type \(call.type?.rawValue ?? "UNKNOWN") is not supported")
        }
    }

    /// The caller's framework, when the call comes from its scheduler's current stream.
    func session(_ call: SchedulerCall, streamID: String?) throws(MasterError) -> FrameworkID {
        guard leading else { throw Self.notLeading }
        guard let id = call.frameworkID else {
            throw MasterError(code: .request, message: "the call has no framework_id")
        }
        guard let streamID else {
            throw MasterError(
                code: .request,
                message: "the Mesos-Stream-Id header is missing; send the one SUBSCRIBE returned"
            )
        }
        guard let current = schedulers[id] else {
            throw MasterError(
                code: .forbidden,
                message: "framework \(id) is not subscribed to this master; SUBSCRIBE first"
            )
        }
        guard current == streamID else {
            throw MasterError(
                code: .request,
                message: "the Mesos-Stream-Id does not match framework \(id)'s subscription"
            )
        }
        return id
    }

    /// KILL: see `killPlan`.
    mutating func kill(_ key: TaskKey, policy: KillPolicy?, in context: LeaderContext) -> [Action] {
        switch killPlan(key, registry: context.registry, uuid: newUUIDBytes()) {
        case .answer(let status):
            return [Self.statusEvent(status, to: key.frameworkID)]
        case .tellAgent(let agent):
            var event = agentEvent(.kill)
            event.kill = AgentEvent.Kill(frameworkID: key.frameworkID, taskID: key.taskID, killPolicy: policy)
            return [.toAgent(agent, event)]
        case .endBeforeLaunch(let status):
            return [
                .propose(.statusUpdate(frameworkID: key.frameworkID, status: status, atNanos: nanos(context)))
            ]
        case .wait:
            return []
        }
    }

    /// Corral's `KILL_TASK`: the agent is told to kill a live task of any framework, as that
    /// framework's own KILL would. `frameworkID` may be nil when exactly one live task has
    /// `taskID`.
    mutating func operatorKill(_ taskID: TaskID, frameworkID: FrameworkID?, in context: LeaderContext)
        throws(MasterError) -> (TaskKey, [Action])
    {
        guard leading else { throw Self.notLeading }
        let live = context.registry.tasks.values.filter {
            $0.key.taskID == taskID && !$0.isTerminal
                && (frameworkID == nil || $0.key.frameworkID == frameworkID)
        }
        guard let task = live.first else {
            throw MasterError(
                code: .notFound,
                message:
                    "no live task \(taskID.value)\(frameworkID.map { " of framework \($0.value)" } ?? "") is known"
            )
        }
        guard live.count == 1 else {
            throw MasterError(
                code: .request,
                message:
                    "task ID \(taskID.value) is live in \(live.count) frameworks; give kill_task.framework_id"
            )
        }
        return (task.key, kill(task.key, policy: nil, in: context))
    }

    /// An update the master sends without committing it (no UUID, nothing to acknowledge):
    /// reconciliation answers and tasks refused before launch.
    static func statusEvent(_ status: TaskStatus, to id: FrameworkID) -> Action {
        var event = SchedulerEvent(type: .update)
        event.update = SchedulerEvent.Update(status: status)
        return .toScheduler(id, event)
    }

    /// RECONCILE_OPERATIONS' answer for one operation, as Mesos gives it for an operation the
    /// master does not hold: Corral's operations (RESERVE, UNRESERVE) end within their
    /// ACCEPT and are not kept, so the answer is what their agent's state allows.
    static func operationStatus(
        of operation: SchedulerCall.ReconcileOperations.Operation, registry: Registry, to id: FrameworkID
    ) -> Action {
        if let kept = registry.frameworks[id]?.operations?.last(where: { $0.operationID == operation.operationID }) {
            return reconciliationAnswer(kept, to: id)
        }
        let state: OperationState
        switch operation.agentID.flatMap({ registry.agents[$0] })?.state {
        case .unreachable?: state = .unreachable
        case .gone?: state = .goneByOperator
        default: state = .unknown
        }
        return .toScheduler(id, .operationStatus(OperationStatus(operationID: operation.operationID, state: state, agentID: operation.agentID)))
    }

    /// A kept operation status as RECONCILE_OPERATIONS answers it: without its UUID, so there
    /// is nothing to acknowledge, as in Mesos.
    static func reconciliationAnswer(_ status: OperationStatus, to id: FrameworkID) -> Action {
        var answer = status
        answer.uuid = nil
        return .toScheduler(id, .operationStatus(answer))
    }
}
