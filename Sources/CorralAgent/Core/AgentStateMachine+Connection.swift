import CorralModel

// MARK: - Subscribing, heartbeats and term fencing

extension AgentStateMachine {
    /// The SUBSCRIBE call: the agent's info (with its ID once known), every task it still
    /// knows, and the highest term it has seen.
    public var subscribeCall: AgentCall {
        var call = AgentCall(type: .subscribe, agentID: info.id)
        let reports = tasks.keys.sorted().compactMap { key -> AgentCall.TaskReport? in
            guard var status = tasks[key]?.status else { return nil }
            status.uuid = nil
            return AgentCall.TaskReport(frameworkID: key.frameworkID, status: status)
        }
        call.subscribe = AgentCall.Subscribe(agentInfo: info, tasks: reports, highestTerm: highestTerm)
        return call
    }

    /// The subscribed stream's ID, if there is one.
    var streamID: String? {
        if case .subscribed(let subscription) = connection { subscription.streamID } else { nil }
    }

    /// The connection number in use (subscribing or subscribed).
    var currentConnection: UInt64? {
        switch connection {
        case .subscribing(let number, _, _): number
        case .subscribed(let subscription): subscription.connection
        case .stopped, .disconnected: nil
        }
    }

    func silenceLimit(_ subscription: Subscription) -> Duration {
        subscription.heartbeatInterval * max(configuration.silentIntervals, 1)
    }

    mutating func subscribe(now: ContinuousClock.Instant) {
        let number = nextConnection
        nextConnection += 1
        connection = .subscribing(connection: number, streamID: nil, deadline: now + configuration.subscribeTimeout)
        log(.info, "subscribing to the leading master", ["connection": "\(number)", "agent": info.id?.value ?? "new", "term": "\(highestTerm)"])
        output.append(.subscribe(subscribeCall, connection: number))
    }

    mutating func subscribeAnswered(_ number: UInt64, streamID: String) {
        guard case .subscribing(number, _, let deadline) = connection else {
            counters.staleConnectionInputs += 1
            return
        }
        connection = .subscribing(connection: number, streamID: streamID, deadline: deadline)
    }

    /// The stream of `number` ended or its SUBSCRIBE failed: wait, then subscribe again.
    mutating func connectionLost(_ number: UInt64, _ reason: String, now: ContinuousClock.Instant) {
        guard currentConnection == number else {
            counters.staleConnectionInputs += 1
            return
        }
        disconnect(reason, now: now)
    }

    /// The agent gives up on the current stream itself: close it, wait, subscribe again.
    mutating func abandonConnection(_ reason: String, now: ContinuousClock.Instant) {
        guard let number = currentConnection else { return }
        output.append(.closeStream(connection: number))
        disconnect(reason, now: now)
    }

    private mutating func disconnect(_ reason: String, now: ContinuousClock.Instant) {
        for key in retries.keys { retries[key]?.due = nil }
        let wait = subscribeBackoff.next(using: &random)
        connection = .disconnected(retryAt: now + wait)
        log(.warning, "master connection lost; subscribing again", ["reason": reason, "retry_in": "\(wait)"])
    }

    /// A master reports a leader in a newer term than the stream's: the stream's master no
    /// longer leads (terms only grow), so subscribe again, to the leader, now. A report of no
    /// known leader, or of the stream's own term, changes nothing.
    mutating func leaderSeen(term: UInt64, leader: UInt64, now: ContinuousClock.Instant) {
        guard leader != 0, case .subscribed(let subscription) = connection, term > subscription.term else { return }
        abandonConnection("master \(leader) leads term \(term), newer than the stream's term \(subscription.term)", now: now)
    }

    mutating func tickConnection(now: ContinuousClock.Instant) {
        switch connection {
        case .stopped: return
        case .disconnected(let retryAt):
            if retryAt <= now { subscribe(now: now) }
        case .subscribing(_, _, let deadline):
            if deadline <= now { abandonConnection("no SUBSCRIBED within \(configuration.subscribeTimeout)", now: now) }
        case .subscribed(var subscription):
            if now - subscription.lastHeard >= silenceLimit(subscription) {
                abandonConnection("the master was silent for \(now - subscription.lastHeard)", now: now)
                return
            }
            if subscription.nextHeartbeat <= now {
                subscription.nextHeartbeat = now + subscription.heartbeatInterval
                connection = .subscribed(subscription)
                output.append(.post(AgentCall(type: .heartbeat, agentID: info.id), streamID: subscription.streamID))
            }
        }
    }

    // MARK: - Events

    mutating func receive(_ event: AgentEvent, on number: UInt64, now: ContinuousClock.Instant) {
        guard currentConnection == number else {
            counters.staleConnectionInputs += 1
            return
        }
        guard event.term >= highestTerm || !configuration.fencesTerms else {
            counters.staleEvents += 1
            log(.warning, "ignoring an event from a deposed leader", ["type": event.type.rawValue, "term": "\(event.term)", "highest_term": "\(highestTerm)"])
            abandonConnection("the leader's term \(event.term) is older than \(highestTerm)", now: now)
            return
        }
        if event.term > highestTerm {
            highestTerm = event.term
            output.append(.persist([.highestTerm(event.term)]))
        }
        if event.type != .heartbeat {
            // What the agent takes, with its term: the chaos checkers hold the terms an
            // agent takes to never go back (`AgentTerms` in Chaos/Harness).
            log(.info, "took a record from the leader", ["type": event.type.rawValue, "term": "\(event.term)"])
        }
        if case .subscribed(var subscription) = connection {
            subscription.lastHeard = now
            subscription.term = event.term
            connection = .subscribed(subscription)
        }
        switch event.type {
        case .subscribed: subscribed(event, now: now)
        case .launch:
            guard let launch = event.launch else { return malformed(event) }
            self.launch(launch, now: now)
        case .kill:
            guard let kill = event.kill else { return malformed(event) }
            self.kill(TaskKey(kill.frameworkID, kill.taskID), policy: kill.killPolicy, now: now)
        case .shutdownFramework:
            guard let shutdown = event.shutdownFramework else { return malformed(event) }
            shutdownFramework(shutdown.frameworkID, now: now)
        case .message:
            guard let message = event.message else { return malformed(event) }
            deliver(message)
        case .heartbeat: break
        case .volumes:
            guard let volumes = event.volumes else { return malformed(event) }
            let inUse = tasks.values.filter(\.isLive).flatMap { Resources($0.launch?.task.resources ?? []).volumes }
            output.append(.keepVolumes(listed: volumes.volumes, inUse: inUse))
        case .error:
            let message = event.error?.message ?? "no message"
            log(.error, "the master refused the agent", ["term": "\(event.term)", "message": message])
            abandonConnection("the master sent ERROR: \(message)", now: now)
        default:
            log(.notice, "ignoring an event of an unknown type", ["type": event.type.rawValue])
        }
    }

    private mutating func malformed(_ event: AgentEvent) {
        log(.error, "ignoring an event without its payload", ["type": event.type.rawValue, "term": "\(event.term)"])
    }

    private mutating func subscribed(_ event: AgentEvent, now: ContinuousClock.Instant) {
        guard case .subscribing(let number, let streamID, _) = connection else {
            log(.warning, "ignoring SUBSCRIBED on a stream already subscribed", ["term": "\(event.term)"])
            return
        }
        guard let payload = event.subscribed else { return malformed(event) }
        guard let streamID else {
            log(.error, "SUBSCRIBED arrived before the stream ID; the shell must report subscribeAnswered first")
            abandonConnection("no stream ID", now: now)
            return
        }
        if info.id != payload.agentID {
            if let old = info.id {
                log(.warning, "the master gave this agent a new ID", ["old": old.value, "agent": payload.agentID.value])
            }
            info.id = payload.agentID
            output.append(.persist([.agentID(payload.agentID)]))
        }
        let seconds = payload.heartbeatIntervalSeconds
        let interval: Duration = seconds.isFinite && seconds > 0 ? .milliseconds(Int64(min(seconds, 86_400) * 1000)) : .seconds(5)
        connection = .subscribed(
            Subscription(
                connection: number, streamID: streamID, term: event.term, heartbeatInterval: interval,
                lastHeard: now, nextHeartbeat: now + interval))
        subscribeBackoff.reset()
        log(.info, "subscribed", ["agent": payload.agentID.value, "term": "\(event.term)", "connection": "\(number)"])
        resendAllUpdates(now: now)
    }
}
