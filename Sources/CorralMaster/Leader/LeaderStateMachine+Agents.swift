import CorralModel

extension LeaderStateMachine {
    /// What an agent call other than SUBSCRIBE asks of the leader, decided before anything is
    /// committed.
    enum AgentCallPlan {
        /// A heartbeat: nothing more.
        case nothing
        /// Commit `command`; `what` names it in an error ("the update").
        case commit(RegistryCommand, what: String)
        /// Pass an event on to a framework's scheduler.
        case forward(SchedulerEvent, to: FrameworkID)
    }

    /// Checks an agent call against the agent's current stream (and counts the agent as heard
    /// from), and says what it asks for; `nanos` is the replicated clock.
    mutating func plan(_ call: AgentCall, streamID: String?, nanos: UInt64, now: Instant) throws(MasterError)
        -> AgentCallPlan
    {
        guard let id = call.agentID else {
            throw MasterError(code: .request, message: "the call has no agent_id")
        }
        guard let streamID else {
            throw MasterError(
                code: .request,
                message: "the Corral-Agent-Stream-Id header is missing; send the one SUBSCRIBE returned"
            )
        }
        guard agents[id]?.streamID == streamID else {
            throw MasterError(
                code: .forbidden,
                message: "agent \(id) is not subscribed to this master with that stream; SUBSCRIBE again"
            )
        }
        _ = step(.agentHeard(id), now: now)
        switch call.type {
        case .heartbeat:
            return .nothing
        case .update:
            guard let update = call.update else {
                throw Self.missing("update")
            }
            guard update.status.uuid != nil else {
                throw MasterError(code: .request, message: "a status update from an agent needs a uuid")
            }
            var status = update.status
            status.agentID = id
            status.source = status.source ?? .executor
            // An update for a task the registry no longer has is acknowledged all the same, so
            // the agent stops sending it.
            return .commit(
                .statusUpdate(frameworkID: update.frameworkID, status: status, atNanos: nanos),
                what: "the update"
            )
        case .updateResources:
            guard let resources = call.updateResources?.resources else {
                throw Self.missing("update_resources")
            }
            return .commit(
                .updateAgentResources(id: id, resources: resources, atNanos: nanos),
                what: "the change"
            )
        case .message:
            guard let message = call.message else {
                throw Self.missing("message")
            }
            var event = SchedulerEvent(type: .message)
            event.message = SchedulerEvent.Message(
                agentID: id,
                executorID: message.executorID,
                data: message.data ?? []
            )
            return .forward(event, to: message.frameworkID)
        case .exitedExecutor:
            guard let exited = call.exitedExecutor else {
                throw Self.missing("exited_executor")
            }
            var event = SchedulerEvent(type: .failure)
            event.failure = SchedulerEvent.Failure(
                agentID: id,
                executorID: exited.executorID,
                status: exited.status
            )
            return .forward(event, to: exited.frameworkID)
        default:
            throw MasterError(
                code: .request,
                message: "agent call type \(call.type.rawValue) is not supported"
            )
        }
    }

    /// A call without the field its type needs.
    static func missing(_ field: String) -> MasterError {
        MasterError(code: .request, message: "the call's \"\(field)\" field is missing")
    }

    /// Refuses a SUBSCRIBE this leader (of `term`) must not take: another protocol version, an
    /// agent that has seen a newer term (this leader is deposed), or no hostname.
    static func check(_ subscribe: AgentCall.Subscribe, term: UInt64) throws(MasterError) {
        guard subscribe.version == 1 else {
            throw MasterError(
                code: .request,
                message: "agent protocol version \(subscribe.version) is not supported; this master speaks 1"
            )
        }
        guard subscribe.highestTerm <= term else {
            throw MasterError(
                code: .notLeader,
                message: "the agent has seen term \(subscribe.highestTerm), newer than this leader's \(term)"
            )
        }
        guard !subscribe.agentInfo.hostname.isEmpty else {
            throw MasterError(code: .request, message: "agent_info.hostname is empty")
        }
    }

    /// What an agent that has just (re-)registered must hear: the launches the registry holds
    /// for it that it did not report (it never got them), and a kill for each task it reported
    /// that the registry has ended or never knew. In task order.
    static func reconcile(agent id: AgentID, reported: Set<TaskKey>, registry: Registry)
        -> (relaunch: [TaskRecord], kill: [TaskKey])
    {
        let relaunch = registry.tasks(onAgent: id)
            .filter { $0.state == .staging && !reported.contains($0.key) }
            .sorted { $0.key < $1.key }
        let kill = reported.filter { registry.tasks[$0].map(\.isTerminal) ?? true }.sorted()
        return (relaunch, kill)
    }
}
