import CorralModel
import CorralReplication

/// An ACCEPT in progress: the offers it took, the operations still to go and what the
/// committed ones have taken. Each launch waits for its commit before the next operation is
/// checked (`LeaderStateMachine.resume`).
package struct AcceptRun: Equatable {
    /// A launch proposed and not yet decided: what the run holds if it is committed.
    package struct Launch: Equatable {
        var tasks: [TaskInfo]
        var executor: ExecutorInfo?
        var book: AcceptBook
        var budget: Resources
        var consumed: ResourceQuantities
        var executorsCost: ResourceQuantities
    }

    var call: CallID
    /// The term the ACCEPT was taken in: its offers are that leadership's.
    var term: UInt64
    var framework: FrameworkID
    var agent: AgentID
    var role: String
    var offers: [LiveOffer]
    var refuseSeconds: Double
    var operations: ArraySlice<Offer.Operation>
    var book: AcceptBook
    var remaining: Resources
    var launched = ResourceQuantities()
    var pending: Launch?
    /// A RESERVE or UNRESERVE proposed and not yet decided.
    var pendingReshape: Reshape?
    /// Whether a RESERVE or UNRESERVE was (or may have been) committed: the offers' resources
    /// changed shape, so the allocator is settled by what was launched, not by offer.
    var reshaped = false
}

extension LeaderStateMachine {
    /// ACCEPT, as Mesos's `Master::accept`: each operation stands alone. Every task is checked
    /// against the live offers and the registry, and what passes is committed as a `launch`
    /// before the agent hears of it. A bad operation is dropped without touching the
    /// replicated log: its tasks get TASK_ERROR (invalid), or TASK_DROPPED (TASK_LOST for
    /// frameworks that are not PARTITION_AWARE) when the offers are not good; an operation
    /// Corral does not do gets OPERATION_ERROR when it asked for feedback. The good operations
    /// in the same call go ahead, and what they leave of the offers returns to the allocator.
    mutating func accept(
        _ accept: SchedulerCall.Accept,
        from id: FrameworkID,
        id call: CallID,
        in context: LeaderContext
    )
        -> [Action]
    {
        let (used, problem) = takeOffers(accept.offerIDs, of: id)
        if let problem {
            for offer in used {
                allocator.decline(
                    offer: offer.decision.offerID,
                    refuseSeconds: 0,
                    nowMillis: millis(context.now)
                )
            }
            return dropAll(accept.operations, of: id, invalidOffers: problem, registry: context.registry)
                + step(.allocationWanted, in: context) + [.reply(call, .done)]
        }
        guard let agentID = used.first?.agentID, let role = used.first?.decision.role else {
            return [.reply(call, .done)]
        }
        var remaining = Resources()
        for offer in used { remaining += offer.resources.unallocated }
        let run = AcceptRun(
            call: call,
            term: term,
            framework: id,
            agent: agentID,
            role: role,
            offers: used,
            refuseSeconds: accept.filters?.refuseSeconds ?? Filters.defaultRefuseSeconds,
            operations: accept.operations[...],
            book: AcceptBook(inUse: Set(context.registry.tasks(of: id).map(\.key.taskID))),
            remaining: remaining
        )
        return proceed(run, in: context)
    }

    /// Checks the run's operations in turn until one launch is to be committed, or finishes it.
    mutating func proceed(_ run: AcceptRun, in context: LeaderContext) -> [Action] {
        var run = run
        var actions: [Action] = []
        let id = run.framework
        while let operation = run.operations.popFirst() {
            if let kind = operation.type, AcceptRun.Reshape.kinds.contains(kind) {
                let principal = context.registry.frameworks[id]?.info.principal
                switch Self.checkReshape(operation, run: run, principal: principal) {
                case .failure(let problem):
                    actions += dropOperation(operation, of: id, agent: run.agent, message: problem.why)
                    continue
                case .success(let reshape):
                    run.pendingReshape = reshape
                    return actions + [.commit(reshape.command(on: run.agent, at: nanos(context)), then: .accept(run))]
                }
            }
            guard operation.type == .launch || operation.type == .launchGroup else {
                let name = operation.type?.rawValue ?? "UNKNOWN"
                actions += dropOperation(
                    operation,
                    of: id,
                    agent: run.agent,
                    message:
                        "Corral does not support \(name) operations; it accepts LAUNCH, LAUNCH_GROUP, RESERVE, UNRESERVE, CREATE, DESTROY, GROW_VOLUME and SHRINK_VOLUME"
                )
                continue
            }
            let executor = operation.launchGroup?.executor
            let reason: TaskStatus.Reason = executor == nil ? .taskInvalid : .taskGroupInvalid
            let tasks = Self.tasks(of: operation)
            if operation.id != nil {
                for task in tasks {
                    actions += refuse(
                        task,
                        of: id,
                        state: .error,
                        reason: reason,
                        message:
                            "The `id` field cannot be set on \(operation.type?.rawValue ?? "LAUNCH") operations",
                        registry: context.registry
                    )
                }
                continue
            }
            // run_tasks: a group runs whole or not at all, so one refused task refuses it.
            let refusals = tasks.map { runTasksRefusal($0, executor: executor, framework: id, registry: context.registry) }
            if let first = refusals.compactMap({ $0 }).first {
                for (task, refusal) in zip(tasks, refusals) where executor != nil || refusal != nil {
                    actions += refuse(task, of: id, state: .error, reason: reason, message: refusal ?? first, registry: context.registry)
                }
            }
            let refusedAny = refusals.contains { $0 != nil }
            let allowed: [TaskInfo] = executor != nil && refusedAny ? [] : zip(tasks, refusals).filter { $0.1 == nil }.map { $0.0 }
            guard !allowed.isEmpty else { continue }
            let checked = Self.checkLaunch(
                allowed,
                group: executor,
                framework: id,
                agent: run.agent,
                book: run.book,
                budget: run.remaining,
                registry: context.registry
            )
            for (task, why) in checked.failures {
                actions += refuse(
                    task,
                    of: id,
                    state: .error,
                    reason: reason,
                    message: why,
                    registry: context.registry
                )
            }
            let passed = checked.passed
            guard !passed.isEmpty else { continue }
            let consumed = ResourceMapping.quantities(run.remaining - checked.budget)
            var executorsCost = consumed
            executorsCost -= ResourceMapping.quantities(Resources(passed.flatMap(\.resources)))
            run.pending = AcceptRun.Launch(
                tasks: passed,
                executor: executor,
                book: checked.book,
                budget: checked.budget,
                consumed: consumed,
                executorsCost: executorsCost
            )
            let command = RegistryCommand.launch(
                frameworkID: id,
                agentID: run.agent,
                role: run.role,
                tasks: passed,
                executor: executor,
                atNanos: nanos(context)
            )
            if breaks.contains(.launchBeforeCommit) {
                actions.append(
                    launchEvent(
                        passed,
                        executor: executor,
                        framework: id,
                        agent: run.agent,
                        registry: context.registry
                    )
                )
            }
            return actions + [.commit(command, then: .accept(run))]
        }
        let now = millis(context.now)
        if run.reshaped { return actions + settleReshaped(run, in: context) }
        var launched = run.launched
        for offer in run.offers {
            let part = launched.clamped(to: offer.decision.resources)
            launched -= part
            allocator.accept(
                offer: offer.decision.offerID,
                launched: part,
                refuseSeconds: run.refuseSeconds,
                nowMillis: now
            )
        }
        return actions + step(.allocationWanted, in: context) + [.reply(run.call, .done)]
    }

    /// The run's pending launch was decided: committed, it is charged and the agent told;
    /// refused or failed, its tasks hear why. Then the run goes on.
    ///
    /// `executorsCost` is what the executors the launch starts hold; the allocator gets it
    /// back with the first task. That may be early, never late: offers are carved from what
    /// the registry says is free, so an early return cannot over-commit the agent.
    mutating func launchDecided(
        _ run: AcceptRun,
        result: Result<RegistryOutcome, any Error>,
        in context: LeaderContext
    )
        -> [Action]
    {
        var run = run
        if let reshape = run.pendingReshape { return reshapeDecided(run, reshape, result: result, in: context) }
        guard let launch = run.pending else { return proceed(run, in: context) }
        run.pending = nil
        let id = run.framework
        var actions: [Action] = []
        // Leadership changed while the launch was being committed: the ACCEPT's offers went
        // with it. A committed launch still goes to the agent; the rest of the call does not.
        guard leading, term == run.term else {
            if case .success(let outcome) = result, outcome.error == nil, leading,
                !breaks.contains(.launchBeforeCommit)
            {
                actions.append(
                    launchEvent(
                        launch.tasks,
                        executor: launch.executor,
                        framework: id,
                        agent: run.agent,
                        registry: context.registry
                    )
                )
            }
            let changed = MasterError(
                code: .notLeader,
                message: "leadership changed during the ACCEPT; reconcile and retry"
            )
            return actions + [.reply(run.call, .failed(changed))]
        }
        switch result {
        case .failure(let error as ReplicationError) where error.code == .outcomeUnknown:
            // The launch may still be committed by the next leader, which then sends it to
            // the agent: TASK_DROPPED would be a lie. The scheduler learns the task's fate by
            // reconciling with the next leader.
            actions.append(
                .log(
                    LogLine(
                        level: .notice,
                        message: "launch outcome unknown after a leadership change",
                        metadata: [
                            "framework": id.value, "tasks": "\(launch.tasks.map(\.taskID.value))",
                            "error": "\(error)",
                        ]
                    )
                )
            )
        case .failure(let error):
            for task in launch.tasks {
                actions += refuse(
                    task,
                    of: id,
                    state: .dropped,
                    reason: .masterDisconnected,
                    message: "the launch was not committed: \(error)",
                    registry: context.registry
                )
            }
        case .success(let outcome):
            if let error = outcome.error {
                let reason = TaskStatus.Reason(rawValue: outcome.reason ?? "REASON_TASK_INVALID")
                // Offers or an agent that are no longer good drop the task; a bad task is an error.
                let state: TaskState = reason == .invalidOffers || reason == .agentUnknown ? .dropped : .error
                for task in launch.tasks {
                    actions += refuse(
                        task,
                        of: id,
                        state: state,
                        reason: reason,
                        message: error,
                        registry: context.registry
                    )
                }
            } else {
                charge(
                    launch.tasks,
                    executorsCost: launch.executorsCost,
                    framework: id,
                    agent: run.agent,
                    role: run.role
                )
                if !breaks.contains(.launchBeforeCommit) {
                    actions.append(
                        launchEvent(
                            launch.tasks,
                            executor: launch.executor,
                            framework: id,
                            agent: run.agent,
                            registry: context.registry
                        )
                    )
                }
                run.book = launch.book
                run.launched += launch.consumed
                run.remaining = launch.budget
            }
        }
        return actions + proceed(run, in: context)
    }
}
