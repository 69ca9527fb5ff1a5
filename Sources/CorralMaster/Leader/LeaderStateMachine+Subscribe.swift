import CorralModel

extension LeaderStateMachine {
    /// A scheduler's SUBSCRIBE: registers the framework (or takes it back after a fail-over),
    /// committed first; its stream opens with SUBSCRIBED once the registry has it.
    package mutating func subscribe(
        _ subscribe: SchedulerCall.Subscribe,
        id call: CallID,
        in context: LeaderContext
    )
        -> [Action]
    {
        guard leading else { return [.reply(call, .failed(Self.notLeading))] }
        var info = subscribe.frameworkInfo
        guard !info.name.isEmpty else {
            return [
                .reply(call, .failed(MasterError(code: .request, message: "framework_info.name is empty")))
            ]
        }
        for role in info.effectiveRoles where !Self.isValidRole(role) {
            return [
                .reply(
                    call,
                    .failed(MasterError(code: .request, message: "role \"\(role)\" is not a valid role name"))
                )
            ]
        }
        do {
            try OfferConstraintMatcher.check(subscribe.offerConstraints, roles: info.effectiveRoles)
        } catch {
            return [.reply(call, .failed(error))]
        }
        info.id = info.id ?? FrameworkID("\(newID())-0000")
        return [
            .commit(
                .subscribeFramework(info: info, atNanos: nanos(context)),
                then: .schedulerSubscribed(
                    call,
                    term: term,
                    info: info,
                    suppressed: subscribe.suppressedRoles,
                    constraints: subscribe.offerConstraints
                )
            )
        ]
    }

    /// The subscription was decided: the stream opens (an older one of the same framework
    /// closes, told it failed over), offers go back, updates go out.
    mutating func schedulerSubscribed(
        _ call: CallID,
        term subscribedTerm: UInt64,
        info: FrameworkInfo,
        suppressed: [String],
        constraints: OfferConstraints? = nil,
        result: Result<RegistryOutcome, any Error>,
        in context: LeaderContext
    ) -> [Action] {
        if let refusal = refusal(of: result, what: "the subscription", term: subscribedTerm) {
            return [.reply(call, .failed(refusal))]
        }
        guard let id = info.id else { return [.reply(call, .failed(Self.notLeading))] }
        var failedOver = SchedulerEvent(type: .error)
        failedOver.error = SchedulerEvent.ErrorPayload(message: "Framework failed over")
        let streamID = newID()
        var subscribed = SchedulerEvent(type: .subscribed)
        subscribed.subscribed = SchedulerEvent.Subscribed(
            frameworkID: id,
            heartbeatIntervalSeconds: timing.schedulerHeartbeatSeconds,
            masterInfo: masterInfo
        )
        var actions: [Action] = [
            .closeScheduler(id, last: failedOver), .openScheduler(id, streamID: streamID, first: subscribed),
        ]
        let effects = schedulerSubscribed(
            id,
            streamID: streamID,
            roles: info.effectiveRoles,
            suppressed: suppressed,
            tasks: context.registry.tasks(of: id),
            nowMillis: millis(context.now),
            now: context.now
        )
        setOfferConstraints(constraints, of: id, roles: info.effectiveRoles, registry: context.registry)
        allocator.setTakesRevocable(framework: id.value, info.takesRevocable)
        actions += effects.flatMap { carryOut($0, in: context) }
        actions.append(
            .log(
                LogLine(
                    level: .info,
                    message: "framework subscribed",
                    metadata: ["framework": id.value, "name": info.name]
                )
            )
        )
        actions.append(.reply(call, .schedulerStream(id, streamID: streamID)))
        return actions
    }

    /// An agent's SUBSCRIBE: admitted (new) or re-registered (known ID, reporting its tasks),
    /// committed first.
    package mutating func subscribeAgent(
        _ subscribe: AgentCall.Subscribe,
        ip: String?,
        id call: CallID,
        in context: LeaderContext
    )
        -> [Action]
    {
        guard leading else { return [.reply(call, .failed(Self.notLeading))] }
        do {
            var checked = subscribe
            if breaks.contains(.ignoreAgentTerm) { checked.highestTerm = min(checked.highestTerm, term) }
            try Self.check(checked, term: term)
        } catch {
            return [.reply(call, .failed(error))]
        }
        var info = subscribe.agentInfo
        let command: RegistryCommand
        if let id = info.id, context.registry.agents[id] != nil {
            // An agent back while its re-registration is committed is not proposed
            // unreachable meanwhile; should the commit fail, its wait starts again.
            postponeUnreachable(id, now: context.now)
            command = .reregisterAgent(info: info, reported: subscribe.tasks, atNanos: nanos(context), ip: ip)
        } else {
            info.id = info.id ?? AgentID("\(newID())-S0")
            command = .admitAgent(info: info, atNanos: nanos(context), ip: ip)
        }
        let reported = Set(subscribe.tasks.map { TaskKey($0.frameworkID, $0.status.taskID) })
        return [
            .commit(command, then: .agentSubscribed(call, term: term, info: info, reported: reported, ip: ip))
        ]
    }

    /// The registration was decided: the agent's stream opens with SUBSCRIBED, launches it
    /// missed are sent again and tasks the registry does not know are killed.
    mutating func agentSubscribed(
        _ call: CallID,
        term subscribedTerm: UInt64,
        info: AgentInfo,
        reported: Set<TaskKey>,
        ip: String?,
        result: Result<RegistryOutcome, any Error>,
        in context: LeaderContext
    ) -> [Action] {
        if let refusal = refusal(of: result, what: "the registration", term: subscribedTerm) {
            return [.reply(call, .failed(refusal))]
        }
        guard let id = info.id else { return [.reply(call, .failed(Self.notLeading))] }
        let streamID = newID()
        var subscribed = agentEvent(.subscribed)
        subscribed.subscribed = AgentEvent.Subscribed(
            agentID: id,
            heartbeatIntervalSeconds: timing.agentHeartbeatSeconds
        )
        var actions: [Action] = [
            .closeAgent(id, last: nil), .openAgent(id, streamID: streamID, first: subscribed),
            volumesEvent(id, registry: context.registry),
        ]
        actions += step(.agentSubscribed(id, streamID: streamID, ip: ip), in: context)
        actions += rescind(addAgent(id, registry: context.registry))
        actions += drainKills(id, in: context)
        let (relaunch, kills) = Self.reconcile(agent: id, reported: reported, registry: context.registry)
        for task in relaunch {
            actions.append(
                launchEvent(
                    [task.info],
                    executor: task.executor,
                    framework: task.key.frameworkID,
                    agent: id,
                    registry: context.registry
                )
            )
        }
        for key in kills {
            var kill = agentEvent(.kill)
            kill.kill = AgentEvent.Kill(frameworkID: key.frameworkID, taskID: key.taskID)
            actions.append(.toAgent(id, kill))
        }
        actions.append(
            .log(
                LogLine(
                    level: .info,
                    message: "agent subscribed",
                    metadata: ["agent": id.value, "host": info.hostname]
                )
            )
        )
        actions.append(.reply(call, .agentStream(id, streamID: streamID)))
        return actions
    }

    /// Why a decided SUBSCRIBE fails, or nil: the commit failed, the registry refused it, or
    /// this master no longer leads the term it was taken in.
    private func refusal(
        of result: Result<RegistryOutcome, any Error>,
        what: String,
        term subscribedTerm: UInt64
    )
        -> MasterError?
    {
        switch result {
        case .failure(let error): return MasterError.committing(what, error)
        case .success(let outcome):
            if let error = outcome.error { return MasterError(code: .forbidden, message: error) }
        }
        guard leading, term == subscribedTerm else {
            return MasterError(code: .notLeader, message: "leadership changed; retry")
        }
        return nil
    }

    /// Tells the agent to launch tasks (under this term).
    func launchEvent(
        _ tasks: [TaskInfo],
        executor: ExecutorInfo?,
        framework id: FrameworkID,
        agent: AgentID,
        registry: Registry
    )
        -> Action
    {
        var event = agentEvent(.launch)
        event.launch = AgentEvent.Launch(
            frameworkID: id,
            frameworkInfo: registry.frameworks[id]?.info,
            tasks: tasks,
            executor: executor
        )
        return .toAgent(agent, event)
    }

    /// Whether `role` is a valid Mesos role name.
    static func isValidRole(_ role: String) -> Bool {
        if role == "*" { return true }
        guard !role.isEmpty, !role.hasPrefix("-"), !role.hasPrefix("/"), !role.hasSuffix("/") else {
            return false
        }
        return role.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".."
                && !part.contains(where: { $0.isWhitespace || $0 == "\\" })
        }
    }
}
