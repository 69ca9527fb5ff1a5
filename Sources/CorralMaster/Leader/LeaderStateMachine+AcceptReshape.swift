import CorralModel
import CorralReplication

extension AcceptRun {
    /// An operation of an ACCEPT that changes the shape of the offers' resources (RESERVE,
    /// UNRESERVE, CREATE, DESTROY, GROW_VOLUME, SHRINK_VOLUME), checked: what it takes from
    /// the offers' resources and what it gives back in their place.
    package struct Reshape: Equatable {
        var operation: Offer.Operation
        var taken: Resources
        var given: Resources

        /// The operations that reshape resources, each committed before the next operation.
        static let kinds: Set<Offer.Operation.Kind> = [.reserve, .unreserve, .create, .destroy, .growVolume, .shrinkVolume]

        /// The registry command: a RESERVE names the resources as reserved, an UNRESERVE the
        /// reserved resources it frees, a CREATE the volumes it makes, a DESTROY the ones it
        /// removes, a GROW_VOLUME or SHRINK_VOLUME the volume and how much.
        func command(on agent: AgentID, at nanos: UInt64) -> RegistryCommand {
            switch operation.type {
            case .some(.reserve): return .reserve(agentID: agent, resources: Array(given), atNanos: nanos)
            case .some(.create): return .createVolumes(agentID: agent, volumes: Array(given), atNanos: nanos)
            case .some(.destroy): return .destroyVolumes(agentID: agent, volumes: Array(taken), atNanos: nanos)
            case .some(.growVolume):
                let grow = operation.growVolume!
                return .growVolume(agentID: agent, volume: grow.volume, addition: grow.addition, atNanos: nanos)
            case .some(.shrinkVolume):
                let shrink = operation.shrinkVolume!
                return .shrinkVolume(agentID: agent, volume: shrink.volume, subtract: shrink.subtract, atNanos: nanos)
            default: return .unreserve(agentID: agent, resources: Array(taken), atNanos: nanos)
            }
        }
    }

    /// Why a reshaping operation cannot go ahead.
    package struct ReshapeProblem: Error, Equatable {
        var why: String
    }
}

extension LeaderStateMachine {
    /// Checks a RESERVE or UNRESERVE against the ACCEPT's offers, as Mesos's
    /// `validation::operation` does: every resource carries a dynamic reservation on top of
    /// its stack; a RESERVE's is for the role the offers are allocated to and names the
    /// framework's principal if it names one; and the offers still hold what it takes.
    static func checkReshape(_ operation: Offer.Operation, run: AcceptRun, principal: String?)
        -> Result<AcceptRun.Reshape, AcceptRun.ReshapeProblem>
    {
        if operation.type != .reserve && operation.type != .unreserve {
            return checkVolumes(operation, run: run, principal: principal)
        }
        let isReserve = operation.type == .reserve
        let name = isReserve ? "RESERVE" : "UNRESERVE"
        let listed = (isReserve ? operation.reserve?.resources : operation.unreserve?.resources) ?? []
        guard !listed.isEmpty else { return .failure(.init(why: "the \(name) names no resources")) }
        var taken = Resources()
        var given = Resources()
        for resource in Resources(listed).unallocated.map(\.refined) {
            guard let before = resource.beforeDynamicReservation, let reservation = resource.reservations.last
            else {
                return .failure(
                    .init(
                        why:
                            "\(name) of \(Resources([resource])): it must carry a dynamic reservation on top of its stack"
                    )
                )
            }
            if resource.isPersistentVolume {
                return .failure(
                    .init(
                        why: "\(name) of \(Resources([resource])): a persistent volume cannot be (un)reserved"
                    )
                )
            }
            if isReserve {
                if reservation.role != run.role {
                    return .failure(
                        .init(
                            why:
                                "RESERVE of \(Resources([resource])): it is for role \(reservation.role ?? "none"), but the offers are allocated to role \(run.role)"
                        )
                    )
                }
                if let asked = reservation.principal, let principal, asked != principal {
                    return .failure(
                        .init(
                            why:
                                "RESERVE of \(Resources([resource])): principal \(asked) is not the framework's, \(principal)"
                        )
                    )
                }
                if resource.revocable != nil {
                    return .failure(
                        .init(
                            why: "RESERVE of \(Resources([resource])): revocable resources cannot be reserved"
                        )
                    )
                }
                taken.add(before)
                given.add(resource)
            } else {
                taken.add(resource)
                given.add(before)
            }
        }
        guard run.remaining.contains(taken) else {
            return .failure(
                .init(why: "the \(name) needs \(taken), more than the offers have left (\(run.remaining))")
            )
        }
        return .success(AcceptRun.Reshape(operation: operation, taken: taken, given: given))
    }

    /// The run's RESERVE or UNRESERVE was decided: committed, the offers' resources take
    /// their new shape and the framework hears OPERATION_FINISHED if it gave the operation an
    /// ID; refused, the operation is dropped with why. Then the run goes on.
    mutating func reshapeDecided(
        _ run: AcceptRun,
        _ reshape: AcceptRun.Reshape,
        result: Result<RegistryOutcome, any Error>,
        in context: LeaderContext
    ) -> [Action] {
        var run = run
        run.pendingReshape = nil
        let id = run.framework
        guard leading, term == run.term else {
            let changed = MasterError(
                code: .notLeader,
                message: "leadership changed during the ACCEPT; reconcile and retry"
            )
            return [.reply(run.call, .failed(changed))]
        }
        var actions: [Action] = []
        switch result {
        case .success(let outcome):
            if let error = outcome.error {
                actions += dropOperation(reshape.operation, of: id, agent: run.agent, message: error)
            } else {
                run.remaining = run.remaining - reshape.taken + reshape.given
                run.reshaped = true
                actions += operationFinished(reshape.operation, of: id, agent: run.agent, at: nanos(context))
            }
        case .failure(let error):
            // A proposal whose outcome is unknown may still be committed: the allocator is
            // then settled from what was launched, as after a committed one.
            if let replication = error as? ReplicationError, replication.code == .outcomeUnknown {
                run.reshaped = true
            }
            actions += dropOperation(
                reshape.operation,
                of: id,
                agent: run.agent,
                message: "not committed: \(error)"
            )
        }
        return actions + proceed(run, in: context)
    }

    /// An ACCEPT whose offers changed shape ends: its offers go back whole (with its filter)
    /// and what it launched is charged as used on the agent.
    mutating func settleReshaped(_ run: AcceptRun, in context: LeaderContext) -> [Action] {
        let now = millis(context.now)
        for offer in run.offers {
            allocator.decline(offer: offer.decision.offerID, refuseSeconds: run.refuseSeconds, nowMillis: now)
        }
        var rescinded: [OfferDecision] = []
        if run.launched != ResourceQuantities() {
            rescinded = allocator.taskLaunched(
                framework: run.framework.value,
                role: run.role,
                agent: run.agent.value,
                resources: run.launched
            )
        }
        return rescind(rescinded) + step(.allocationWanted, in: context) + [.reply(run.call, .done)]
    }

    /// When the operation has an ID: OPERATION_FINISHED with a fresh UUID is proposed, and
    /// sent once committed (and again until the framework acknowledges it).
    func operationFinished(_ operation: Offer.Operation, of id: FrameworkID, agent: AgentID, at nanos: UInt64) -> [Action] {
        guard let operationID = operation.id else { return [] }
        let status = OperationStatus(operationID: operationID, state: .finished, agentID: agent, uuid: newUUIDBytes())
        return [.propose(.operationStatus(frameworkID: id, status: status, atNanos: nanos))]
    }
}
