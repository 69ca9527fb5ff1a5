import CorralModel
import CorralReplication
import Foundation

/// What the operator endpoints read, taken in one turn of the leader: the registry as
/// applied here plus the leader-local facts (offers, connected schedulers and agents).
struct OperatorSnapshot: Sendable {
    var registry: Registry
    var offers: [Offer]
    var connectedFrameworks: Set<FrameworkID>
    var connectedAgents: Set<AgentID>
    /// Subscribed frameworks' offer constraints (the leader's, not replicated).
    var offerConstraints: [FrameworkID: OfferConstraints] = [:]
    /// The IP each connected agent's stream came from.
    var agentIPs: [AgentID: String] = [:]
    /// Each draining machine's frameworks' answers to inverse offers (the leader's).
    var inverseOfferStatuses: [MaintenanceSchedule.MachineID: [FrameworkID: InverseOfferStatus]] = [:]
    var masterInfo: MasterInfo
    var config: MasterConfig
    var term: UInt64
    /// When this master process started, in seconds since the epoch.
    var startTime: Double
    /// How long this master process has run, in seconds.
    var uptime: Double

    /// `master@host:port`, Mesos's libprocess PID of this master.
    var pid: String { "master@\(config.httpListen.host):\(config.httpListen.port)" }

    /// An agent's libprocess-style pid, `slave(1)@ip:port`: the IP its connection came from
    /// (its registered hostname while it is not connected), and the port it serves HTTP on.
    func agentPID(_ agent: AgentRecord) -> String {
        "slave(1)@\(agentIPs[agent.id] ?? agent.info.hostname):\(agent.info.effectivePort)"
    }

    func offers(of framework: FrameworkID) -> [Offer] { offers.filter { $0.frameworkID == framework } }

    func offered(toFramework id: FrameworkID) -> Resources {
        Resources(offers(of: id).flatMap(\.resources))
    }

    func offered(onAgent id: AgentID) -> Resources {
        Resources(offers.filter { $0.agentID == id }.flatMap(\.resources))
    }

    /// What the live, non-terminal tasks of a framework hold.
    func allocated(toFramework id: FrameworkID) -> Resources {
        var total = Resources()
        for task in registry.tasks(of: id) where !task.isTerminal { total += task.resources }
        return total
    }
}

extension MasterLeader {
    /// The operator endpoints' view of the cluster; throws unless this master leads, so a
    /// follower answers 307 to the leader as Mesos does.
    func operatorSnapshot() throws(MasterError) -> OperatorSnapshot {
        let term = try requireLeading()
        let elapsed = clock.now - started
        let uptime = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var info = masterInfo
        info.pid = "master@\(config.httpListen.host):\(config.httpListen.port)"
        return OperatorSnapshot(
            registry: machine.registry, offers: outstandingOffers, connectedFrameworks: Set(core.schedulers.keys),
            connectedAgents: connectedAgents, offerConstraints: core.offerConstraints, agentIPs: core.agents.compactMapValues(\.ip),
            inverseOfferStatuses: core.inverseOffers.statuses, masterInfo: info, config: config, term: term,
            startTime: Date().timeIntervalSince1970 - uptime, uptime: uptime)
    }

    /// Operator SUBSCRIBE: the SUBSCRIBED record is built from the registry in the same turn
    /// that opens the stream, so no change published later is missing from the stream.
    func subscribeOperator(subscribed: (OperatorSnapshot) -> JSONValue) throws(MasterError) -> (id: String, stream: RecordStream) {
        let snapshot = try operatorSnapshot()
        return try subscribeOperator(first: subscribed(snapshot).encoded)
    }

    /// Commits an operator's command (`LeaderStateMachine.operatorWrite`), after rescinding
    /// the offers on the agent it reshapes, if any; a refusal is a `.request` error (HTTP
    /// 400) or a `.conflict` (409) for resources that are not free, and a failed proposal
    /// says whether it was applied (`MasterError.committing`).
    func commitOperator(
        reshaping agent: AgentID? = nil,
        _ make: (_ atNanos: UInt64) -> RegistryCommand
    ) async throws(MasterError) {
        _ = try requireLeading()
        if case .failed(let error) = await call({ $0.operatorWrite(make, reshaping: agent, id: $1, in: $2) }) {
            throw error
        }
    }

    /// Leadership is lost: operator subscribers reconnect to the new leader, as after a
    /// Mesos master fail-over.
    func closeOperatorStreams() {
        for sink in operators.values { sink.finish() }
        operators = [:]
    }
}
