import CorralModel
import Foundation

/// What the leader reads at each step besides its own state: the time, the wall clock (for
/// the replicated clock's readings) and the registry as applied here.
package struct LeaderContext {
    var now: ContinuousClock.Instant
    /// The wall clock in nanoseconds since 1970.
    var wall: UInt64
    var registry: Registry
    /// Where this master last saw the registry's clock move (`MasterStateMachine.lastClockMove`).
    var clockMoved: ClockObservation?

    package init(
        now: ContinuousClock.Instant,
        wall: UInt64,
        registry: Registry,
        clockMoved: ClockObservation? = nil
    ) {
        self.now = now
        self.wall = wall
        self.registry = registry
        self.clockMoved = clockMoved
    }
}

extension LeaderStateMachine {
    /// What the leader does to the world: the only things `MasterLeader` (or the simulator's
    /// shell) does for it. Everything else is decided here.
    package enum Action: Equatable {
        /// Send an event on the scheduler's stream (nothing if it has none).
        case toScheduler(FrameworkID, SchedulerEvent)
        /// Send an event on the agent's stream (nothing if it has none).
        case toAgent(AgentID, AgentEvent)
        /// Close the scheduler's stream, after `last` if given.
        case closeScheduler(FrameworkID, last: SchedulerEvent?)
        /// Close the agent's stream, after `last` if given.
        case closeAgent(AgentID, last: AgentEvent?)
        /// Send every operator stream a heartbeat.
        case heartbeatOperators
        /// Propose without waiting; what it decides arrives as registry changes.
        case propose(RegistryCommand)
        /// Propose, wait for the outcome and hand it back with `then` (`resume`).
        case commit(RegistryCommand, then: Continuation)
        /// Open a new stream for the scheduler, `first` on it (closing an older one after
        /// telling it that its framework failed over).
        case openScheduler(FrameworkID, streamID: String, first: SchedulerEvent)
        /// Open a new stream for the agent, `first` on it (closing an older one).
        case openAgent(AgentID, streamID: String, first: AgentEvent)
        /// Answer the call the caller is waiting on.
        case reply(CallID, Answer)
        case log(LogLine)
    }

    /// A line for the master's log.
    package struct LogLine: Equatable {
        package enum Level: Equatable { case info, notice, warning }
        package var level: Level
        package var message: String
        package var metadata: [String: String] = [:]
    }

    /// Feeds `input` at the context's time and carries out what the rules decide.
    package mutating func step(_ input: Input, in context: LeaderContext) -> [Action] {
        step(input, now: context.now).flatMap { carryOut($0, in: context) }
    }

    /// Acts on a change the registry applied.
    package mutating func registryChanged(_ change: RegistryChange, in context: LeaderContext) -> [Action] {
        let change = breaks.contains(.staleChanges) ? change : Self.current(change, in: context.registry)
        return registryChanged(change, now: context.now).flatMap { carryOut($0, in: context) }
    }

    /// A task's change as the registry stands now. Entries are applied ahead of the leader
    /// hearing of them, so a change can be older than the registry it is read with: a task
    /// whose FINISHED was committed and whose RUNNING was acknowledged since has FINISHED at
    /// the head of its updates now, even though the change says RUNNING. Sending that stale
    /// head after a retry had sent FINISHED told schedulers RUNNING after FINISHED. A task no
    /// longer live (every update acknowledged) has nothing left to send.
    static func current(_ change: RegistryChange, in registry: Registry) -> RegistryChange {
        guard case .taskUpdated(let task) = change else { return change }
        if let now = registry.tasks[task.key] { return .taskUpdated(now) }
        var ended = task
        ended.pending = []
        return .taskUpdated(ended)
    }

    /// The replicated clock now (see `ReplicatedClock`); the wall clock itself under the
    /// `wall-clock-deadlines` break.
    mutating func nanos(_ context: LeaderContext) -> UInt64 {
        if breaks.contains(.wallClockDeadlines) { return max(context.wall, context.registry.clockNanos) }
        return replicatedClock.reading(
            wall: context.wall,
            registry: context.registry.clockNanos,
            moved: context.clockMoved,
            at: context.now
        )
    }

    /// Milliseconds since this leader's process started, for the allocator.
    func millis(_ now: Instant) -> UInt64 {
        let elapsed = now - started
        return UInt64(elapsed.components.seconds) * 1000
            + UInt64(elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// An event for an agent, stamped with this leader's term (the agent's fence).
    func agentEvent(_ kind: AgentEvent.Kind) -> AgentEvent {
        AgentEvent(type: kind, term: term)
    }

    /// VOLUMES for agent `id`: every persistent volume the registry holds on it.
    func volumesEvent(_ id: AgentID, registry: Registry) -> Action {
        var event = agentEvent(.volumes)
        event.volumes = AgentEvent.Volumes(volumes: registry.agents[id]?.volumes ?? [])
        return .toAgent(id, event)
    }

    /// A fresh ID: a lowercased UUID.
    func newID() -> String { newUUID().uuidString.lowercased() }

    /// The bytes of a fresh UUID, for an update the leader makes before proposing it.
    func newUUIDBytes() -> [UInt8] { withUnsafeBytes(of: newUUID().uuid) { Array($0) } }

    /// What an effect the rules decided comes to.
    mutating func carryOut(_ effect: Effect, in context: LeaderContext) -> [Action] {
        switch effect {
        case .allocate:
            let expired = allocator.expireOffers(nowMillis: millis(context.now))
            return rescind(expired) + allocate(in: context)
        case .heartbeatSchedulers:
            return schedulers.keys.sorted { $0.value < $1.value }.map {
                .toScheduler($0, SchedulerEvent(type: .heartbeat))
            }
                + [.heartbeatOperators]
        case .heartbeatAgents:
            return agents.keys.sorted { $0.value < $1.value }.map { .toAgent($0, agentEvent(.heartbeat)) }
        case .retryUpdates:
            // Operation statuses not yet acknowledged go again too, as the agent's status
            // update manager resends them in Mesos.
            let operations = context.registry.frameworks.values.filter { schedulers[$0.id] != nil }.sorted { $0.id < $1.id }
                .flatMap { record in (record.operations ?? []).flatMap { carryOut(.sendOperationStatus(record.id, $0), in: context) } }
            return context.registry.tasks.values.filter { !$0.pending.isEmpty }.sorted { $0.key < $1.key }
                .flatMap { step(.taskChanged($0, resend: true), in: context) } + operations
        case .checkClockDeadlines:
            let earliest = context.registry.frameworks.values.compactMap { record -> UInt64? in
                if case .disconnected(_, let deadline) = record.state { deadline } else { nil }
            }.min()
            let reading = nanos(context)
            guard let earliest, reading >= earliest else { return [] }
            return step(.clockTicked, in: context) + [.propose(.tick(atNanos: reading))]
        case .dropAgent(let id, _, let silent):
            var actions: [Action] = []
            if silent {
                actions.append(
                    .log(
                        LogLine(
                            level: .notice,
                            message: "agent missed its heartbeats; marking it unreachable",
                            metadata: ["agent": id.value]
                        )
                    )
                )
            }
            actions.append(.closeAgent(id, last: nil))
            if leading { actions += rescind(removeAgent(id)) }
            return actions
        case .proposeUnreachable(let id):
            return [.propose(.agentUnreachable(id: id, atNanos: nanos(context)))]
        case .sendUpdate(let id, let status):
            var event = SchedulerEvent(type: .update)
            event.update = SchedulerEvent.Update(status: status)
            return [.toScheduler(id, event)]
        case .dropScheduler(let id, _):
            return schedulerDropped(id, in: context)
        case .resubscribeFramework(let info):
            return [.propose(.subscribeFramework(info: info, atNanos: nanos(context)))]
        case .removeFramework(let id, let killed):
            return frameworkRemoved(id, killed: killed)
        case .dropDeactivatedAgent(let id, let gone):
            var last: AgentEvent?
            if gone {
                var event = agentEvent(.error)
                event.error = SchedulerEvent.ErrorPayload(
                    message: "this agent was marked gone by an operator"
                )
                last = event
            }
            return [.closeAgent(id, last: last)] + rescind(removeAgent(id)) + rescindInverseOffers(in: context)
        case .dropDownAgent(let id):
            var actions: [Action] = context.registry.tasks(onAgent: id).map { task in
                var kill = agentEvent(.kill)
                kill.kill = AgentEvent.Kill(frameworkID: task.key.frameworkID, taskID: task.key.taskID)
                return .toAgent(id, kill)
            }
            var error = agentEvent(.error)
            error.error = SchedulerEvent.ErrorPayload(message: "this agent's machine was taken down for maintenance")
            actions.append(.closeAgent(id, last: error))
            return actions + rescind(removeAgent(id))
        case .rescindAllOffers:
            let actions = rescindOffers(in: context) { _ in true } + rescindInverseOffers(in: context)
            _ = step(.allocationWanted, in: context)
            return actions
        case .sendAgentLost(let framework, let agent):
            var failure = SchedulerEvent(type: .failure)
            failure.failure = SchedulerEvent.Failure(agentID: agent)
            return [.toScheduler(framework, failure)]
        case .updateAgentTotal(let id, let total):
            // Deactivated, the agent leaves the allocator with its offers; reactivated, it
            // comes back with what its tasks hold.
            if context.registry.agents[id]?.deactivated == true {
                let actions = rescindOffers(onAgent: id, in: context)
                return actions + rescind(removeAgent(id)) + drainKills(id, in: context)
            }
            // The agent hears its volumes again: one may have been made or destroyed.
            let volumes = agents[id] == nil ? [] : [volumesEvent(id, registry: context.registry)]
            if allocator.allocation(ofAgent: id.value) == nil { return volumes + rescind(addAgent(id, registry: context.registry)) }
            return volumes + rescind(allocator.updateAgent(id.value, total: ResourceMapping.quantities(total)))
        case .refreshQuotas:
            refreshQuotas(context.registry)
            return []
        case .refreshWeights:
            for (role, weight) in context.registry.weights { allocator.setWeight(weight, role: role) }
            return []
        case .sendOperationStatus(let framework, let status):
            guard schedulers[framework] != nil else { return [] }
            return [.toScheduler(framework, .operationStatus(status))]
        }
    }

    /// Runs an allocation cycle: the offers it makes go to their schedulers, in framework order.
    mutating func allocate(in context: LeaderContext) -> [Action] {
        guard leading else { return [] }
        _ = step(.allocated, now: context.now)
        let (made, declined) = offer(
            allocator.allocate(nowMillis: millis(context.now)),
            term: term,
            registry: context.registry
        )
        for decision in declined {
            allocator.decline(offer: decision.offerID, refuseSeconds: 0, nowMillis: millis(context.now))
        }
        var byFramework: [FrameworkID: [Offer]] = [:]
        for live in made { byFramework[live.frameworkID, default: []].append(live.offer) }
        let offerEvents: [Action] = byFramework.sorted { $0.key.value < $1.key.value }.map { frameworkID, offers in
            var event = SchedulerEvent(type: .offers)
            event.offers = SchedulerEvent.Offers(offers: offers)
            return .toScheduler(frameworkID, event)
        }
        return offerEvents + makeInverseOffers(in: context) + preempt(in: context)
    }

    /// Takes rescinded offers out of the book and tells their frameworks.
    mutating func rescind(_ decisions: [OfferDecision]) -> [Action] {
        guard !decisions.isEmpty else { return [] }
        let rescinded = Set(decisions.map(\.offerID))
        return Self.rescindEvents(removeOffers(where: { rescinded.contains($0.decision.offerID) }))
    }

    /// The scheduler's stream ended: its offers go back and its fail-over timeout starts.
    private mutating func schedulerDropped(_ id: FrameworkID, in context: LeaderContext) -> [Action] {
        var actions: [Action] = [.closeScheduler(id, last: nil)]
        guard leading else { return actions }
        returnOffers(of: id, nowMillis: millis(context.now))
        dropInverseOffers(of: id)
        allocator.suppress(framework: id.value, role: nil)
        guard let framework = context.registry.frameworks[id], framework.state == .active else {
            return actions
        }
        let at = nanos(context)
        let timeout = framework.failoverTimeoutNanos
        actions.append(.propose(.disconnectFramework(id: id, atNanos: at, deadlineNanos: at + timeout)))
        actions.append(
            .log(
                LogLine(
                    level: .info,
                    message: "framework disconnected",
                    metadata: ["framework": id.value, "failover_timeout_s": "\(Double(timeout) / 1e9)"]
                )
            )
        )
        return actions
    }

    /// The framework is gone: its agents shut it down, it leaves the allocator, and its
    /// scheduler's stream closes with an error.
    private mutating func frameworkRemoved(_ id: FrameworkID, killed: [TaskRecord]) -> [Action] {
        var actions: [Action] = Set(killed.map(\.agentID)).sorted { $0.value < $1.value }.map { agentID in
            var event = agentEvent(.shutdownFramework)
            event.shutdownFramework = AgentEvent.ShutdownFramework(frameworkID: id)
            return .toAgent(agentID, event)
        }
        removeFramework(id)
        dropInverseOffers(of: id)
        var last = SchedulerEvent(type: .error)
        last.error = SchedulerEvent.ErrorPayload(message: "Framework has been removed")
        actions.append(.closeScheduler(id, last: last))
        actions.append(
            .log(
                LogLine(
                    level: .info,
                    message: "framework removed",
                    metadata: ["framework": id.value, "killed_tasks": "\(killed.count)"]
                )
            )
        )
        return actions
    }

    /// Sets the allocator's quotas from the registry again, clearing roles that lost theirs.
    mutating func refreshQuotas(_ registry: Registry) {
        let quotas = registry.quotas
        for role in quotaRoles.subtracting(quotas.keys) {
            allocator.setQuota(role: role, guarantee: ResourceQuantities(), limit: nil)
        }
        for quota in quotas.values { applyQuota(quota) }
        quotaRoles = Set(quotas.keys)
    }

    mutating func applyQuota(_ quota: QuotaRecord) {
        allocator.setQuota(
            role: quota.role,
            guarantee: ResourceQuantities(quota.guarantees),
            limit: quota.limits.isEmpty ? nil : ResourceQuantities(quota.limits)
        )
    }
}
