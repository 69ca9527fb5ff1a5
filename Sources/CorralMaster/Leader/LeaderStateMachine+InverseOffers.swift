import CorralModel

// MARK: - Inverse offers: maintenance asks frameworks to leave a draining machine

extension LeaderStateMachine {
    /// The machines draining for maintenance: in the schedule, and not down.
    static func drainingMachines(_ registry: Registry) -> Set<MaintenanceSchedule.MachineID> {
        Set(registry.maintenance.windows.flatMap(\.machineIDs).map(\.normalized)).subtracting(registry.downMachines)
    }

    /// After an allocation cycle: an inverse offer to each connected framework with live tasks
    /// on an active agent of a draining machine, unless one is outstanding or the framework
    /// answered within its refuse time (as Mesos's allocator sends them). Each carries the
    /// machine's unavailability and names no resources: all of them are asked back.
    mutating func makeInverseOffers(in context: LeaderContext) -> [Action] {
        let registry = context.registry
        let draining = Self.drainingMachines(registry)
        guard !draining.isEmpty else { return [] }
        let now = millis(context.now)
        var byFramework: [FrameworkID: [InverseOffer]] = [:]
        for agent in registry.agents.values.sorted(by: { $0.id < $1.id }) where agent.isActive && draining.contains(agent.machine) {
            guard let unavailability = registry.maintenance.unavailability(of: agent.machine) else { continue }
            let frameworks = Set(registry.tasks(onAgent: agent.id).filter { !$0.isTerminal }.map(\.key.frameworkID))
            for framework in frameworks.sorted() where schedulers[framework] != nil && inverseOffers.mayAsk(framework, about: agent.id, nowMillis: now) {
                let id = MesosOfferID(newID())
                inverseOffers.sent(id, .init(framework: framework, agent: agent.id, machine: agent.machine), atNanos: nanos(context))
                byFramework[framework, default: []].append(
                    InverseOffer(id: id, frameworkID: framework, agentID: agent.id, unavailability: unavailability))
            }
        }
        return byFramework.sorted { $0.key < $1.key }.map { framework, offers in
            var event = SchedulerEvent(type: .inverseOffers)
            event.inverseOffers = SchedulerEvent.InverseOffers(inverseOffers: offers)
            return .toScheduler(framework, event)
        }
    }

    /// ACCEPT_INVERSE_OFFERS or DECLINE_INVERSE_OFFERS: each outstanding inverse offer of the
    /// framework named is answered (its machine's status for the framework, and no new one
    /// about that agent for the filter's refuse seconds, 5 by default). An ID that is not
    /// outstanding for the framework (answered, rescinded, another's) is ignored, as Mesos
    /// ignores it, and logged.
    mutating func answerInverseOffers(
        _ answer: SchedulerCall.InverseOfferAnswer, accept: Bool, from framework: FrameworkID, in context: LeaderContext
    ) -> [Action] {
        let refuse = max(0, answer.filters?.refuseSeconds ?? Filters.defaultRefuseSeconds)
        let at = nanos(context)
        let now = millis(context.now)
        var actions: [Action] = []
        for id in answer.inverseOfferIDs {
            let known = inverseOffers.answered(
                id, by: framework, accept: accept, atNanos: at, nowMillis: now, refuseMillis: UInt64(min(refuse, 1e9) * 1000))
            if !known {
                actions.append(
                    .log(
                        LogLine(
                            level: .notice, message: "ignoring an answer to an inverse offer that is not outstanding for the framework",
                            metadata: ["framework": framework.value, "inverse_offer": id.value])))
            }
        }
        return actions
    }

    /// Takes back the outstanding inverse offers whose agent is no longer active on a
    /// draining machine (the schedule changed, the machine went down, the agent left), with
    /// RESCIND_INVERSE_OFFER, and forgets the statuses of machines no longer draining and of
    /// frameworks no longer registered.
    mutating func rescindInverseOffers(in context: LeaderContext) -> [Action] {
        let registry = context.registry
        let draining = Self.drainingMachines(registry)
        let removed = inverseOffers.remove { _, entry in
            !draining.contains(entry.machine) || registry.agents[entry.agent]?.isActive != true
                || registry.agents[entry.agent]?.machine != entry.machine
        }
        inverseOffers.pruneStatuses(draining: draining) { registry.frameworks[$0] != nil }
        return removed.filter { schedulers[$0.1.framework] != nil }.map { id, entry in
            var event = SchedulerEvent(type: .rescindInverseOffer)
            event.rescindInverseOffer = SchedulerEvent.RescindInverseOffer(inverseOfferID: id)
            return .toScheduler(entry.framework, event)
        }
    }

    /// A framework's scheduler left (or the framework was removed): its outstanding inverse
    /// offers are dropped, to be made again if it comes back.
    mutating func dropInverseOffers(of framework: FrameworkID) {
        _ = inverseOffers.remove { _, entry in entry.framework == framework }
    }
}
