import CorralModel
import Foundation

extension MasterLeader {
    /// SUBSCRIBE: registers the framework (or takes it back after a fail-over), then opens its
    /// event stream with SUBSCRIBED first.
    func subscribe(_ subscribe: SchedulerCall.Subscribe) async throws(MasterError)
        -> (id: FrameworkID, streamID: String, stream: RecordStream)
    {
        let term = try requireLeading()
        var info = subscribe.frameworkInfo
        guard !info.name.isEmpty else { throw MasterError(code: .request, message: "framework_info.name is empty") }
        for role in info.effectiveRoles where !Self.isValidRole(role) {
            throw MasterError(code: .request, message: "role \"\(role)\" is not a valid role name")
        }
        let id = info.id ?? FrameworkID("\(UUID().uuidString.lowercased())-0000")
        info.id = id
        let outcome: RegistryOutcome
        do {
            outcome = try await commit(.subscribeFramework(info: info, atNanos: nowNanos()))
        } catch {
            throw MasterError.committing("the subscription", error)
        }
        if let error = outcome.error { throw MasterError(code: .forbidden, message: error) }
        guard self.term == term else { throw MasterError(code: .notLeader, message: "leadership changed; retry") }

        if let old = schedulerStreams[id] {
            var event = SchedulerEvent(type: .error)
            event.error = SchedulerEvent.ErrorPayload(message: "Framework failed over")
            old.yield(Self.record(event))
            old.finish()
        }
        let streamID = UUID().uuidString.lowercased()
        let (stream, sink) = RecordStream.makeStream()
        schedulerStreams[id] = sink
        var subscribed = SchedulerEvent(type: .subscribed)
        subscribed.subscribed = SchedulerEvent.Subscribed(
            frameworkID: id, heartbeatIntervalSeconds: config.scheduling.heartbeatIntervalSeconds, masterInfo: masterInfo)
        sink.yield(Self.record(subscribed))

        let effects = core.schedulerSubscribed(
            id, streamID: streamID, roles: info.effectiveRoles, suppressed: subscribe.suppressedRoles,
            tasks: machine.registry.tasks(of: id), nowMillis: nowMillis(), now: clock.now)
        for effect in effects { carryOut(effect) }
        logger.info("framework subscribed", metadata: ["framework": "\(id)", "name": "\(info.name)"])
        return (id, streamID, stream)
    }

    /// The scheduler's stream ended: its offers go back and its fail-over timeout starts.
    func schedulerStreamEnded(_ id: FrameworkID, streamID: String) {
        step(.schedulerStreamEnded(id, streamID: streamID))
    }

    /// Carries out `dropScheduler`: see `schedulerStreamEnded`.
    func schedulerDropped(_ id: FrameworkID) {
        schedulerStreams.removeValue(forKey: id)?.finish()
        guard term != nil else { return }
        core.returnOffers(of: id, nowMillis: nowMillis())
        core.allocator.suppress(framework: id.value, role: nil)
        guard let framework = machine.registry.frameworks[id], framework.state == .active else { return }
        let at = nowNanos()
        let timeout = framework.failoverTimeoutNanos
        propose(.disconnectFramework(id: id, atNanos: at, deadlineNanos: at + timeout))
        logger.info("framework disconnected", metadata: ["framework": "\(id)", "failover_timeout_s": "\(Double(timeout) / 1e9)"])
    }

    /// Checks that a call comes from the subscribed scheduler's current stream.
    func requireSession(_ call: SchedulerCall, streamID: String?) throws(MasterError) -> FrameworkID {
        _ = try requireLeading()
        guard let id = call.frameworkID else {
            throw MasterError(code: .request, message: "the call has no framework_id")
        }
        guard let streamID else {
            throw MasterError(code: .request, message: "the Mesos-Stream-Id header is missing; send the one SUBSCRIBE returned")
        }
        guard let current = core.schedulers[id] else {
            throw MasterError(code: .forbidden, message: "framework \(id) is not subscribed to this master; SUBSCRIBE first")
        }
        guard current == streamID else {
            throw MasterError(code: .request, message: "the Mesos-Stream-Id does not match framework \(id)'s subscription")
        }
        return id
    }

    // MARK: - Sending

    static func record(_ event: some Encodable) -> [UInt8] {
        RecordIO.encode((try? MesosJSON.encode(event)) ?? [])
    }

    func send(_ event: SchedulerEvent, to id: FrameworkID) {
        schedulerStreams[id]?.yield(Self.record(event))
    }

    func retryPendingUpdates() {
        for task in machine.registry.tasks.values where !task.pending.isEmpty {
            step(.taskChanged(task, resend: true))
        }
    }

    /// An update the master sends without committing it (no UUID, nothing to acknowledge):
    /// reconciliation answers and tasks refused before launch.
    func sendStatus(_ status: TaskStatus, to id: FrameworkID) {
        var event = SchedulerEvent(type: .update)
        event.update = SchedulerEvent.Update(status: status)
        send(event, to: id)
    }

    var masterInfo: MasterInfo {
        let http = config.httpListen
        return MasterInfo(
            id: "\(config.clusterID)-\(config.nodeID)", ip: Self.packedIPv4(http.host), port: UInt32(http.port),
            hostname: http.host, version: CorralVersion.mesosCompatible,
            address: Address(hostname: http.host, ip: http.host, port: Int32(http.port)))
    }

    static func packedIPv4(_ host: String) -> UInt32 {
        let parts = host.split(separator: ".").compactMap { UInt32($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 < 256 }) else { return 0 }
        // Mesos packs the address in network byte order into a uint32 read as little-endian.
        return parts[0] | parts[1] << 8 | parts[2] << 16 | parts[3] << 24
    }

    static func isValidRole(_ role: String) -> Bool {
        if role == "*" { return true }
        guard !role.isEmpty, !role.hasPrefix("-"), !role.hasPrefix("/"), !role.hasSuffix("/") else { return false }
        return role.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && !part.contains(where: { $0.isWhitespace || $0 == "\\" })
        }
    }
}
