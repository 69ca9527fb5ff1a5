import CorralModel
import Foundation

extension MasterLeader {
    /// An agent's SUBSCRIBE: admitted (new) or re-registered (known ID, reporting its tasks),
    /// committed first; then its stream opens with SUBSCRIBED, launches it missed are sent
    /// again and tasks the registry does not know are killed.
    func subscribeAgent(_ subscribe: AgentCall.Subscribe, from ip: String? = nil) async throws(MasterError)
        -> (id: AgentID, streamID: String, stream: RecordStream)
    {
        let term = try requireLeading()
        try LeaderStateMachine.check(subscribe, term: term)
        var info = subscribe.agentInfo
        let reported = subscribe.tasks
        let command: RegistryCommand
        if let id = info.id, machine.registry.agents[id] != nil {
            command = .reregisterAgent(info: info, reported: reported, atNanos: nowNanos())
        } else {
            info.id = info.id ?? AgentID("\(UUID().uuidString.lowercased())-S0")
            command = .admitAgent(info: info, atNanos: nowNanos())
        }
        let outcome: RegistryOutcome
        do {
            outcome = try await commit(command)
        } catch {
            throw MasterError.committing("the registration", error)
        }
        if let error = outcome.error { throw MasterError(code: .forbidden, message: error) }
        guard self.term == term, let id = info.id else {
            throw MasterError(code: .notLeader, message: "leadership changed; retry")
        }

        agentStreams.removeValue(forKey: id)?.finish()
        let streamID = UUID().uuidString.lowercased()
        let (stream, sink) = RecordStream.makeStream()
        agentStreams[id] = sink
        step(.agentSubscribed(id, streamID: streamID, ip: ip))
        var event = agentEvent(.subscribed)
        event.subscribed = AgentEvent.Subscribed(agentID: id, heartbeatIntervalSeconds: config.scheduling.agentHeartbeatSeconds)
        sink.yield(Self.record(event))

        let registry = machine.registry
        rescind(core.addAgent(id, registry: registry))
        let reportedKeys = Set(reported.map { TaskKey($0.frameworkID, $0.status.taskID) })
        let (relaunch, kills) = LeaderStateMachine.reconcile(agent: id, reported: reportedKeys, registry: registry)
        for task in relaunch {
            sendLaunch([task.info], executor: task.executor, framework: task.key.frameworkID, agent: id)
        }
        for key in kills {
            var kill = agentEvent(.kill)
            kill.kill = AgentEvent.Kill(frameworkID: key.frameworkID, taskID: key.taskID)
            send(kill, toAgent: id)
        }
        logger.info("agent subscribed", metadata: ["agent": "\(id)", "host": "\(info.hostname)"])
        return (id, streamID, stream)
    }

    /// The agent's stream ended: it has `agent_timeout_seconds` to come back.
    func agentStreamEnded(_ id: AgentID, streamID: String) {
        step(.agentStreamEnded(id, streamID: streamID))
    }

    /// Every agent call but SUBSCRIBE.
    func handle(_ call: AgentCall, streamID: String?) async throws(MasterError) {
        _ = try requireLeading()
        switch try core.plan(call, streamID: streamID, nanos: nowNanos(), now: clock.now) {
        case .nothing:
            return
        case .commit(let command, let what):
            do {
                _ = try await commit(command)
            } catch {
                throw MasterError.committing(what, error)
            }
        case .forward(let event, let id):
            send(event, to: id)
        }
    }

    func agentEvent(_ kind: AgentEvent.Kind) -> AgentEvent {
        AgentEvent(type: kind, term: term ?? 0)
    }

    func send(_ event: AgentEvent, toAgent id: AgentID) {
        agentStreams[id]?.yield(Self.record(event))
    }
}
