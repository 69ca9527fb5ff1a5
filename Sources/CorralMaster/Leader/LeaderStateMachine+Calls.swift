import CorralModel
import CorralReplication

/// A caller waiting for the leader's answer (one HTTP request).
package struct CallID: Hashable, Sendable {
    package var value: UInt64

    package init(value: UInt64) { self.value = value }
}

extension LeaderStateMachine {
    /// What a call is answered.
    package enum Answer: Equatable {
        case done
        case failed(MasterError)
        /// The scheduler's stream is open (`Action.openScheduler`).
        case schedulerStream(FrameworkID, streamID: String)
        /// The agent's stream is open (`Action.openAgent`).
        case agentStream(AgentID, streamID: String)

        package static func == (lhs: Answer, rhs: Answer) -> Bool {
            switch (lhs, rhs) {
            case (.done, .done): true
            case (.failed(let a), .failed(let b)): a.code == b.code && a.message == b.message
            case (.schedulerStream(let a, let s), .schedulerStream(let b, let t)): a == b && s == t
            case (.agentStream(let a, let s), .agentStream(let b, let t)): a == b && s == t
            default: false
            }
        }
    }

    /// What the leader goes on with once a command it proposed is decided (`resume`).
    package enum Continuation: Equatable {
        /// Answer the call: done, or the failure to commit; with `refusals`, a command the
        /// registry refused fails the call with that code.
        case answer(CallID, what: String, refusals: MasterError.Code?)
        /// A scheduler's SUBSCRIBE at `term`: open its stream.
        case schedulerSubscribed(
            CallID, term: UInt64, info: FrameworkInfo, suppressed: [String], constraints: OfferConstraints? = nil)
        /// An agent's SUBSCRIBE at `term`: open its stream, send what it missed.
        case agentSubscribed(CallID, term: UInt64, info: AgentInfo, reported: Set<TaskKey>, ip: String?)
        /// UPDATE_FRAMEWORK: the allocator takes the new roles.
        case frameworkUpdated(CallID, info: FrameworkInfo, suppressed: [String], constraints: OfferConstraints? = nil)
        /// An ACCEPT waiting for one operation's launch.
        case accept(AcceptRun)
        /// An operator's write (`operatorWrite`): answer with its outcome.
        case operatorWrote(CallID)
    }

    /// Goes on with what waited for `command`'s outcome: `result` is what the registry
    /// decided, or why the proposal failed.
    package mutating func resume(
        _ continuation: Continuation,
        with result: Result<RegistryOutcome, any Error>,
        in context: LeaderContext
    ) -> [Action] {
        switch continuation {
        case .answer(let call, let what, let refusals):
            switch result {
            case .failure(let error):
                return [.reply(call, .failed(MasterError.committing(what, error)))]
            case .success(let outcome):
                if let refusals, let error = outcome.error {
                    return [.reply(call, .failed(MasterError(code: refusals, message: error)))]
                }
                return [.reply(call, .done)]
            }
        case .schedulerSubscribed(let call, let term, let info, let suppressed, let constraints):
            return schedulerSubscribed(
                call,
                term: term,
                info: info,
                suppressed: suppressed,
                constraints: constraints,
                result: result,
                in: context
            )
        case .agentSubscribed(let call, let term, let info, let reported, let ip):
            return agentSubscribed(
                call,
                term: term,
                info: info,
                reported: reported,
                ip: ip,
                result: result,
                in: context
            )
        case .frameworkUpdated(let call, let info, let suppressed, let constraints):
            switch result {
            case .failure(let error):
                return [.reply(call, .failed(MasterError.committing("the call", error)))]
            case .success(let outcome):
                if let error = outcome.error {
                    return [.reply(call, .failed(MasterError(code: .request, message: error)))]
                }
            }
            guard let id = info.id else { return [.reply(call, .done)] }
            allocator.addFramework(id.value, roles: info.effectiveRoles)
            allocator.setTakesRevocable(framework: id.value, info.takesRevocable)
            // As Mesos: the listed roles are suppressed, every other role of the framework
            // is not (its refuse filters stay; REVIVE is what clears them).
            allocator.setSuppressedRoles(framework: id.value, roles: Set(suppressed))
            setOfferConstraints(constraints, of: id, roles: info.effectiveRoles, registry: context.registry)
            return step(.allocationWanted, in: context) + [.reply(call, .done)]
        case .accept(let run):
            return launchDecided(run, result: result, in: context)
        case .operatorWrote(let call):
            // Resources that are not free (to reserve, unreserve or make a volume of)
            // conflict, as in Mesos; any other refusal is a bad request.
            let code: MasterError.Code = (try? result.get())?.reason == "REASON_INVALID_OFFERS" ? .conflict : .request
            return resume(.answer(call, what: "the command", refusals: code), with: result, in: context)
        }
    }

    /// An operator's write (RESERVE_RESOURCES, CREATE_VOLUMES, UPDATE_QUOTA, …): `make`
    /// builds the command at the replicated clock's time. When it reshapes an agent's
    /// resources, the offers on that agent are rescinded first, in the same step, as a Mesos
    /// master rescinds offers to make room; then the command is committed and the call is
    /// answered with what the registry decided.
    package mutating func operatorWrite(
        _ make: (_ atNanos: UInt64) -> RegistryCommand,
        reshaping agent: AgentID?,
        id: CallID,
        in context: LeaderContext
    ) -> [Action] {
        guard leading else { return [.reply(id, .failed(Self.notLeading))] }
        let rescinded = agent.map { rescindOffers(onAgent: $0, in: context) } ?? []
        return rescinded + [.commit(make(nanos(context)), then: .operatorWrote(id))]
    }

    /// Every agent call but SUBSCRIBE.
    package mutating func agentCall(
        _ call: AgentCall,
        streamID: String?,
        id: CallID,
        in context: LeaderContext
    ) -> [Action] {
        guard leading else { return [.reply(id, .failed(Self.notLeading))] }
        let plan: AgentCallPlan
        do {
            plan = try self.plan(call, streamID: streamID, nanos: nanos(context), now: context.now)
        } catch {
            return [.reply(id, .failed(error))]
        }
        switch plan {
        case .nothing:
            return [.reply(id, .done)]
        case .commit(let command, let what):
            // The registry's refusals (an update for a task it no longer has) are answered
            // as done, so the agent stops sending them.
            return [.commit(command, then: .answer(id, what: what, refusals: nil))]
        case .forward(let event, let framework):
            return [.toScheduler(framework, event), .reply(id, .done)]
        }
    }

    static let notLeading = MasterError(code: .notLeader, message: "this master is not the leader")
}
