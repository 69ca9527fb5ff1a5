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
        guard subscribe.version == 1 else {
            throw MasterError(code: .request, message: "agent protocol version \(subscribe.version) is not supported; this master speaks 1")
        }
        guard subscribe.highestTerm <= term else {
            throw MasterError(code: .notLeader, message: "the agent has seen term \(subscribe.highestTerm), newer than this leader's \(term)")
        }
        var info = subscribe.agentInfo
        guard !info.hostname.isEmpty else { throw MasterError(code: .request, message: "agent_info.hostname is empty") }
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
        addToAllocator(id, registry: registry)
        let reportedKeys = Set(reported.map { TaskKey($0.frameworkID, $0.status.taskID) })
        for task in registry.tasks(onAgent: id) where task.state == .staging && !reportedKeys.contains(task.key) {
            sendLaunch([task.info], executor: task.executor, framework: task.key.frameworkID, agent: id)
        }
        for key in reportedKeys where registry.tasks[key].map(\.isTerminal) ?? true {
            var kill = agentEvent(.kill)
            kill.kill = AgentEvent.Kill(frameworkID: key.frameworkID, taskID: key.taskID)
            send(kill, toAgent: id)
        }
        logger.info("agent subscribed", metadata: ["agent": "\(id)", "host": "\(info.hostname)"])
        return (id, streamID, stream)
    }

    /// Puts a connected agent in the allocator with what its live tasks already hold.
    private func addToAllocator(_ id: AgentID, registry: Registry) {
        rescind(allocator.removeAgent(id.value))
        guard let agent = registry.agents[id] else { return }
        var used: [UsedResources] = []
        for task in registry.tasks(onAgent: id) where !task.isTerminal {
            let quantities = ResourceMapping.quantities(task.resources)
            charges[task.key] = Charge(agent: id, framework: task.key.frameworkID, role: task.role, quantities: quantities)
            used.append(UsedResources(framework: task.key.frameworkID.value, role: task.role, resources: quantities))
        }
        allocator.addAgent(id.value, total: ResourceMapping.quantities(agent.total), used: used)
    }

    /// Takes an agent out of the allocator (its offers are rescinded).
    func removeFromAllocator(_ id: AgentID) {
        rescind(allocator.removeAgent(id.value))
        for (key, charge) in charges where charge.agent == id { charges.removeValue(forKey: key) }
    }

    /// The agent's stream ended: it has `agent_timeout_seconds` to come back.
    func agentStreamEnded(_ id: AgentID, streamID: String) {
        step(.agentStreamEnded(id, streamID: streamID))
    }

    /// Every agent call but SUBSCRIBE.
    func handle(_ call: AgentCall, streamID: String?) async throws(MasterError) {
        _ = try requireLeading()
        guard let id = call.agentID else { throw MasterError(code: .request, message: "the call has no agent_id") }
        guard let streamID else {
            throw MasterError(code: .request, message: "the Corral-Agent-Stream-Id header is missing; send the one SUBSCRIBE returned")
        }
        guard core.agents[id]?.streamID == streamID else {
            throw MasterError(code: .forbidden, message: "agent \(id) is not subscribed to this master with that stream; SUBSCRIBE again")
        }
        step(.agentHeard(id))
        switch call.type {
        case .heartbeat:
            return
        case .update:
            guard let update = call.update else { throw MasterError(code: .request, message: "the call's \"update\" field is missing") }
            guard update.status.uuid != nil else { throw MasterError(code: .request, message: "a status update from an agent needs a uuid") }
            var status = update.status
            status.agentID = id
            status.source = status.source ?? .executor
            do {
                // An update for a task the registry no longer has is acknowledged all the same,
                // so the agent stops sending it.
                _ = try await commit(.statusUpdate(frameworkID: update.frameworkID, status: status, atNanos: nowNanos()))
            } catch {
                throw MasterError.committing("the update", error)
            }
        case .updateResources:
            guard let resources = call.updateResources?.resources else {
                throw MasterError(code: .request, message: "the call's \"update_resources\" field is missing")
            }
            do {
                _ = try await commit(.updateAgentResources(id: id, resources: resources, atNanos: nowNanos()))
            } catch {
                throw MasterError.committing("the change", error)
            }
        case .message:
            guard let message = call.message else {
                throw MasterError(code: .request, message: "the call's \"message\" field is missing")
            }
            var event = SchedulerEvent(type: .message)
            event.message = SchedulerEvent.Message(agentID: id, executorID: message.executorID, data: message.data ?? [])
            send(event, to: message.frameworkID)
        case .exitedExecutor:
            guard let exited = call.exitedExecutor else {
                throw MasterError(code: .request, message: "the call's \"exited_executor\" field is missing")
            }
            var event = SchedulerEvent(type: .failure)
            event.failure = SchedulerEvent.Failure(agentID: id, executorID: exited.executorID, status: exited.status)
            send(event, to: exited.frameworkID)
        default:
            throw MasterError(code: .request, message: "agent call type \(call.type.rawValue) is not supported")
        }
    }

    func agentEvent(_ kind: AgentEvent.Kind) -> AgentEvent {
        AgentEvent(type: kind, term: term ?? 0)
    }

    func send(_ event: AgentEvent, toAgent id: AgentID) {
        agentStreams[id]?.yield(Self.record(event))
    }
}
