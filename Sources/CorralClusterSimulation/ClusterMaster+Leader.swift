import CorralMaster
import CorralModel
import CorralRaft

extension ClusterMaster {
    // MARK: - Leadership (as `MasterLeader.roleChanged`, `activate` and `stepDown`)

    /// Raft made this node leader: it confirms leadership and catches up with a read index
    /// before it serves anyone.
    func beginLeading(term: UInt64) {
        nextProposal += 1
        phase = .recovering(term: term, read: nextProposal)
        feed(.readIndex(id: nextProposal))
    }

    func lead(term: UInt64) {
        phase = .leading(term: term)
        engine.note("m\(index + 1) leads term \(term)")
        engine.counters.elections += 1
        perform(core.elect(term: term, allocator: LeaderStateMachine.makeAllocator(scheduling), in: context))
    }

    func stepDown() {
        engine.note("m\(index + 1) no longer leads")
        phase = .following
        for (key, stream) in streams.sorted(by: { $0.key.order < $1.key.order }) { endStream(key, stream) }
        streams = [:]
        core.stepDown(allocator: LeaderStateMachine.makeAllocator(scheduling), now: instant)
    }

    func leaderTick(incarnation: UInt64) {
        guard up, incarnation == self.incarnation else { return }
        if case .leading = phase {
            perform(core.step(.tick, in: context))
        } else if phase == .following, node?.role == .leader, let term = node?.term {
            beginLeading(term: term)
        }
        let interval = UInt64(Double(ClusterEngine.leaderTickMicros) * clockRate)
        engine.schedule(
            .leaderTick(master: index, incarnation: incarnation),
            after: interval,
            key: engine.key(11, index, incarnation)
        )
    }

    // MARK: - Calls

    /// A client's call: the leader's state machine answers it; any other master redirects.
    func arrives(_ request: CallRequest) {
        guard up else { return }
        guard case .leading = phase else {
            let leader = raftLeader != 0 && raftLeader != id ? Int(raftLeader) - 1 : nil
            engine.respond(request, .redirect(leader: leader))
            return
        }
        nextCall += 1
        let call = CallID(value: nextCall)
        calls[call] = request
        let context = self.context
        switch request.body {
        case .agentSubscribe(let subscribe):
            perform(core.subscribeAgent(subscribe, ip: nil, id: call, in: context))
        case .agentCall(let agentCall, let streamID):
            perform(core.agentCall(agentCall, streamID: streamID, id: call, in: context))
        case .schedulerSubscribe(let subscribe):
            perform(core.subscribe(subscribe, id: call, in: context))
        case .schedulerCall(let schedulerCall, let streamID):
            perform(core.schedulerCall(schedulerCall, streamID: streamID, id: call, in: context))
        }
    }

    /// A client closed its stream (or its connection broke).
    func clientClosed(_ key: ServerStreamKey, streamID: String, incarnation: UInt64) {
        guard up, incarnation == self.incarnation, streams[key]?.streamID == streamID else { return }
        streams.removeValue(forKey: key)
        guard case .leading = phase else { return }
        switch key {
        case .agent(let id): perform(core.step(.agentStreamEnded(id, streamID: streamID), in: context))
        case .scheduler(let id):
            perform(core.step(.schedulerStreamEnded(id, streamID: streamID), in: context))
        }
    }

    // MARK: - Actions (as `MasterLeader.perform`)

    func perform(_ actions: [LeaderStateMachine.Action]) {
        for action in actions {
            switch action {
            case .toScheduler(let id, let event):
                send(.scheduler(id), .scheduler(event))
            case .toAgent(let id, let event):
                send(.agent(id), .agent(event))
            case .closeScheduler(let id, let last):
                close(.scheduler(id), last: last.map { .scheduler($0) })
            case .closeAgent(let id, let last):
                close(.agent(id), last: last.map { .agent($0) })
            case .heartbeatOperators:
                break
            case .propose(let command):
                propose(command, then: nil)
            case .commit(let command, let then):
                propose(command, then: then)
            case .openScheduler(let id, let streamID, let first):
                streams[.scheduler(id)] = ServerStream(
                    streamID: streamID,
                    backlog: [.scheduler(first)],
                    lastAt: engine.now
                )
            case .openAgent(let id, let streamID, let first):
                streams[.agent(id)] = ServerStream(
                    streamID: streamID,
                    backlog: [.agent(first)],
                    lastAt: engine.now
                )
            case .reply(let call, let answer):
                guard let request = calls.removeValue(forKey: call) else { continue }
                let answeredAt = engine.respond(request, .answer(answer))
                switch answer {
                case .schedulerStream(let id, let streamID):
                    bind(.scheduler(id), streamID: streamID, to: request.client, after: answeredAt)
                case .agentStream(let id, let streamID):
                    bind(.agent(id), streamID: streamID, to: request.client, after: answeredAt)
                default: break
                }
            case .log(let line):
                engine.note(
                    "m\(index + 1) \(line.message) \(line.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
                )
            }
        }
        // Offers are made only where the leader sends OFFERS: check the book then.
        let offered = actions.contains {
            if case .toScheduler(_, let event) = $0 { event.type == .offers } else { false }
        }
        if offered, case .leading = phase {
            engine.checker.checkOffers(core.offers.values, registry: registry, master: index)
        }
    }

    /// The call that opened the stream was answered (arriving at `answeredAt`, or lost): its
    /// records go to the client after the answer, as an HTTP stream's body follows its
    /// headers. (Records of a stream whose answer was lost reach a client that cannot tell
    /// them for its own, which drops them.)
    private func bind(_ key: ServerStreamKey, streamID: String, to client: Client, after answeredAt: UInt64?) {
        guard var stream = streams[key], stream.streamID == streamID, stream.client == nil else { return }
        stream.client = client
        stream.lastAt = answeredAt ?? engine.now + 2_000
        let backlog = stream.backlog
        stream.backlog = []
        streams[key] = stream
        for payload in backlog { send(key, payload) }
    }

    private func send(_ key: ServerStreamKey, _ payload: StreamDelivery.Payload) {
        guard var stream = streams[key] else { return }
        guard let client = stream.client else {
            stream.backlog.append(payload)
            streams[key] = stream
            return
        }
        guard engine.network.isOpen(index, client.node) else { return }
        let delivery = StreamDelivery(
            client: client,
            master: index,
            streamID: stream.streamID,
            payload: payload
        )
        stream.lastAt = engine.deliver(delivery, notBefore: stream.lastAt)
        streams[key] = stream
    }

    private func close(_ key: ServerStreamKey, last: StreamDelivery.Payload?) {
        if let last { send(key, last) }
        if let stream = streams.removeValue(forKey: key) { endStream(key, stream) }
    }

    /// Tells the stream's client that it ended.
    func endStream(_ key: ServerStreamKey, _ stream: ServerStream) {
        guard let client = stream.client else { return }
        let delivery = StreamDelivery(
            client: client,
            master: index,
            streamID: stream.streamID,
            payload: .ended
        )
        _ = engine.deliver(delivery, notBefore: stream.lastAt)
    }
}
