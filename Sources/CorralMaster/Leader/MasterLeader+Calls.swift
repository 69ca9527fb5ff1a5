import CorralModel

extension MasterLeader {
    /// SUBSCRIBE: registers the framework (or takes it back after a fail-over), then opens its
    /// event stream with SUBSCRIBED first (`LeaderStateMachine.subscribe`).
    func subscribe(_ subscribe: SchedulerCall.Subscribe) async throws(MasterError)
        -> (id: FrameworkID, streamID: String, stream: RecordStream)
    {
        _ = try requireLeading()
        switch await call({ $0.subscribe(subscribe, id: $1, in: $2) }) {
        case .schedulerStream(let id, let streamID): return (id, streamID, takeStream(streamID))
        case .failed(let error): throw error
        default: throw MasterError(code: .startup, message: "SUBSCRIBE was answered without a stream")
        }
    }

    /// Every scheduler call except SUBSCRIBE, from the subscribed scheduler's stream.
    func handle(_ call: SchedulerCall, streamID: String?) async throws(MasterError) {
        _ = try requireLeading()
        try Self.check(await self.call { $0.schedulerCall(call, streamID: streamID, id: $1, in: $2) })
    }

    /// An agent's SUBSCRIBE (`LeaderStateMachine.subscribeAgent`).
    func subscribeAgent(_ subscribe: AgentCall.Subscribe, from ip: String? = nil) async throws(MasterError)
        -> (id: AgentID, streamID: String, stream: RecordStream)
    {
        _ = try requireLeading()
        switch await call({ $0.subscribeAgent(subscribe, ip: ip, id: $1, in: $2) }) {
        case .agentStream(let id, let streamID): return (id, streamID, takeStream(streamID))
        case .failed(let error): throw error
        default: throw MasterError(code: .startup, message: "SUBSCRIBE was answered without a stream")
        }
    }

    /// Every agent call but SUBSCRIBE.
    func handle(_ call: AgentCall, streamID: String?) async throws(MasterError) {
        _ = try requireLeading()
        try Self.check(await self.call { $0.agentCall(call, streamID: streamID, id: $1, in: $2) })
    }

    /// The scheduler's stream ended: its offers go back and its fail-over timeout starts.
    func schedulerStreamEnded(_ id: FrameworkID, streamID: String) {
        step(.schedulerStreamEnded(id, streamID: streamID))
    }

    /// The agent's stream ended: it has `agent_timeout_seconds` to come back.
    func agentStreamEnded(_ id: AgentID, streamID: String) {
        step(.agentStreamEnded(id, streamID: streamID))
    }

    private static func check(_ answer: LeaderStateMachine.Answer) throws(MasterError) {
        if case .failed(let error) = answer { throw error }
    }

    static func masterInfo(_ config: MasterConfig) -> MasterInfo {
        let http = config.httpListen
        return MasterInfo(
            id: "\(config.clusterID)-\(config.nodeID)",
            ip: packedIPv4(http.host),
            port: UInt32(http.port),
            hostname: http.host,
            version: CorralVersion.mesosCompatible,
            address: Address(hostname: http.host, ip: http.host, port: Int32(http.port))
        )
    }

    var masterInfo: MasterInfo { core.masterInfo }

    static func packedIPv4(_ host: String) -> UInt32 {
        let parts = host.split(separator: ".").compactMap { UInt32($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 < 256 }) else { return 0 }
        // Mesos packs the address in network byte order into a uint32 read as little-endian.
        return parts[0] | parts[1] << 8 | parts[2] << 16 | parts[3] << 24
    }
}
