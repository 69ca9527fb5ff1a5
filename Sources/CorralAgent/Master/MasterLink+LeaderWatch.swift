import CorralScheduler

extension MasterLink {
    /// Asks one master other than the stream's (round-robin) who leads (`LeaderReport`), with
    /// 1.5 s to answer (`AgentInput.leaderSeen`).
    public func leaderReport() async -> LeaderReport? {
        let others = masters.filter { $0 != streamMaster }
        guard !others.isEmpty else { return nil }
        let master = others[watchTurn % others.count]
        watchTurn += 1
        return await LeaderReport.fetch(from: master, client: watchClient, authorization: authorization)
    }

    /// The next SUBSCRIBE goes to `master` (the leader a report named).
    public func aim(at master: MasterAddress) {
        rotation.aim(at: master)
    }
}
