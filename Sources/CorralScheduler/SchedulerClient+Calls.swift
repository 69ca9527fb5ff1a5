import CorralModel
import NIOHTTP1

extension SchedulerClient {
    // MARK: - Calls

    /// Accepts offers (all from one agent) with operations, e.g. `.launch(tasks)`.
    public func accept(_ offerIDs: [OfferID], operations: [Offer.Operation], filters: Filters? = nil)
        async throws
    {
        var call = SchedulerCall(type: .accept)
        call.accept = .init(offerIDs: offerIDs, operations: operations, filters: filters)
        try await send(call)
    }

    /// Launches tasks on one offer: an ACCEPT with one LAUNCH.
    public func launch(_ offer: Offer, tasks: [TaskInfo], filters: Filters? = nil) async throws {
        try await accept([offer.id], operations: [.launch(tasks)], filters: filters)
    }

    /// Declines offers; `filters` says how long to keep them away.
    public func decline(_ offerIDs: [OfferID], filters: Filters? = nil) async throws {
        var call = SchedulerCall(type: .decline)
        call.decline = .init(offerIDs: offerIDs, filters: filters)
        try await send(call)
    }

    /// Answers inverse offers (maintenance): accepting says the framework will leave the
    /// agents in time, declining that it will not; either way it is not asked again about
    /// those agents for the filter's refuse seconds.
    public func answerInverseOffers(_ inverseOfferIDs: [OfferID], accept: Bool, filters: Filters? = nil) async throws {
        var call = SchedulerCall(type: accept ? .acceptInverseOffers : .declineInverseOffers)
        let answer = SchedulerCall.InverseOfferAnswer(inverseOfferIDs: inverseOfferIDs, filters: filters)
        if accept { call.acceptInverseOffers = answer } else { call.declineInverseOffers = answer }
        try await send(call)
    }

    /// Kills a task.
    public func kill(_ taskID: TaskID, agentID: AgentID? = nil) async throws {
        var call = SchedulerCall(type: .kill)
        call.kill = .init(taskID: taskID, agentID: agentID)
        try await send(call)
    }

    /// Shuts an executor down.
    public func shutdown(_ executorID: ExecutorID, agentID: AgentID) async throws {
        var call = SchedulerCall(type: .shutdown)
        call.shutdown = .init(executorID: executorID, agentID: agentID)
        try await send(call)
    }

    /// Acknowledges a status update. With implicit acknowledgements on, the client already
    /// did so when it yielded the update; a second ACKNOWLEDGE is sent if you call this.
    ///
    /// - Throws: `SchedulerError` `.invalidArgument` when the status has no UUID or agent ID.
    public func acknowledge(_ status: TaskStatus) async throws {
        guard let uuid = status.uuid, let agentID = status.agentID else {
            throw SchedulerError(
                .invalidArgument,
                "the status of task \(status.taskID) has no uuid or agent_id; there is nothing to acknowledge"
            )
        }
        var call = SchedulerCall(type: .acknowledge)
        call.acknowledge = .init(agentID: agentID, taskID: status.taskID, uuid: uuid)
        try await send(call)
    }

    /// Asks for the latest state of tasks; an empty list asks for every task the master
    /// knows (implicit reconciliation). Answers come as UPDATE events.
    public func reconcile(_ tasks: [(TaskID, AgentID?)] = []) async throws {
        var call = SchedulerCall(type: .reconcile)
        call.reconcile = .init(tasks: tasks.map { .init(taskID: $0.0, agentID: $0.1) })
        try await send(call)
    }

    /// Removes offer filters and resumes offers for `roles` (every role when empty).
    public func revive(roles: [String] = []) async throws {
        var call = SchedulerCall(type: .revive)
        call.revive = .init(roles: roles)
        try await send(call)
    }

    /// Stops offers for `roles` (every role when empty) until REVIVE.
    public func suppress(roles: [String] = []) async throws {
        var call = SchedulerCall(type: .suppress)
        call.suppress = .init(roles: roles)
        try await send(call)
    }

    /// Sends bytes to an executor.
    public func message(agentID: AgentID, executorID: ExecutorID, data: [UInt8]) async throws {
        var call = SchedulerCall(type: .message)
        call.message = .init(agentID: agentID, executorID: executorID, data: data)
        try await send(call)
    }

    /// Changes the framework's FrameworkInfo (roles, capabilities, …) and its offer
    /// constraints (nil: none) without re-subscribing (UPDATE_FRAMEWORK). `info.id` is set to
    /// the subscribed framework's ID, and later re-subscriptions send `info` and
    /// `offerConstraints`.
    public func updateFramework(
        _ info: FrameworkInfo, suppressedRoles: [String] = [], offerConstraints: OfferConstraints? = nil
    ) async throws {
        var info = info
        info.id = knownFrameworkID
        var call = SchedulerCall(type: .updateFramework)
        call.updateFramework = .init(frameworkInfo: info, suppressedRoles: suppressedRoles, offerConstraints: offerConstraints)
        try await send(call)
        updatedFramework = info
        updatedConstraints = offerConstraints ?? OfferConstraints()
    }

    /// Ends the framework: the master kills its tasks and forgets it. The client stops
    /// afterwards, since re-subscribing with a removed framework ID is refused.
    public func teardown() async throws {
        try await send(SchedulerCall(type: .teardown))
        stop()
    }

    // MARK: - Sending

    /// POSTs a call to the master that holds the event stream, with its stream ID and the
    /// framework ID.
    ///
    /// - Throws: `SchedulerError`: `.notSubscribed` without a stream; `.redirected` (and a
    ///   re-subscription starts) when the master no longer leads; `.unavailable` on `503` (not
    ///   applied); `.outcomeUnknown` on `504` (may or may not have taken effect);
    ///   `.rejected` with the master's message on `4xx`; connection failures.
    func send(_ call: SchedulerCall) async throws {
        let kind = call.type?.rawValue ?? "call"
        guard case .subscribed(let session) = state else {
            let why =
                if case .stopped = state { "the client is stopped" } else { "the client is not subscribed" }
            throw SchedulerError(.notSubscribed, "cannot send \(kind): \(why)")
        }
        var call = call
        call.frameworkID = session.frameworkID
        let body: [UInt8]
        do {
            body = try MesosJSON.encode(call)
        } catch {
            throw SchedulerError(.encoding, "cannot encode \(kind)", cause: "\(error)")
        }
        var headers = requestHeaders
        headers.add(name: "Mesos-Stream-Id", value: session.streamID)
        let request = HTTPStreamRequest(method: .POST, path: Self.path, headers: headers, body: body)
        let master = session.master
        let response = try await http.execute(
            request,
            host: master.host,
            port: master.port,
            bodyLimitBytes: 64 << 10
        )
        logger.debug("call answered", metadata: ["type": "\(kind)", "status": "\(response.status.code)"])
        switch response.status.code {
        case 200..<300:
            return
        case 307:
            let target = MasterAddress(location: response.headers.first(name: "Location") ?? "")
            resubscribe(after: session, at: target)
            throw SchedulerError(
                .redirected,
                "\(kind) to \(master) was redirected to \(target.map { "\($0)" } ?? "an unknown master"); re-subscribing",
                status: 307
            )
        case 503:
            throw SchedulerError(.unavailable, "\(kind) to \(master): not applied (\(response.bodyText))", status: 503)
        case 504:
            throw SchedulerError(
                .outcomeUnknown, "\(kind) to \(master): the outcome is unknown (\(response.bodyText)); reconcile before sending it again",
                status: 504)
        case 400..<500:
            throw SchedulerError(
                .rejected,
                "\(kind) to \(master) answered \(response.status.code): \(response.bodyText)",
                status: Int(response.status.code)
            )
        default:
            throw SchedulerError(
                .protocolViolation,
                "\(kind) to \(master) answered \(response.status.code): \(response.bodyText)",
                status: Int(response.status.code)
            )
        }
    }

    /// Closes `session`'s stream if it is still the current one, so the loop subscribes
    /// again, to `target` first when there is one.
    private func resubscribe(after session: Session, at target: MasterAddress?) {
        guard case .subscribed(let current) = state, current.streamID == session.streamID else { return }
        redirectHint = target
        current.control.close()
    }
}
