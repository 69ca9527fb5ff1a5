import CorralScheduler
import Foundation
import NIOCore
import NIOHTTP1

extension MasterLink {
    /// What one master says of the Raft quorum (`GET /quorum/status`): only the fields the
    /// leader watch reads.
    struct QuorumView: Decodable {
        struct Raft: Decodable {
            var term: UInt64
            var leader: UInt64
            var role: String
        }

        struct Member: Decodable {
            var id: UInt64
            var http: String
        }

        var raft: Raft
        var members: [Member]?
    }

    /// Asks one master other than the stream's (round-robin) who leads: the term and leader it
    /// follows, or nil when it does not answer within half a second, knows no leader, or has
    /// stopped (`AgentInput.leaderSeen`).
    public func leaderReport() async -> LeaderReport? {
        let others = masters.filter { $0 != streamMaster }
        guard !others.isEmpty else { return nil }
        let master = others[watchTurn % others.count]
        watchTurn += 1
        let request = HTTPStreamRequest(method: .GET, path: "/quorum/status", headers: ["Accept": "application/json"])
        guard let response = try? await watchClient.execute(request, host: master.host, port: master.port, bodyLimitBytes: 64 << 10),
            response.status == .ok,
            let view = try? JSONDecoder().decode(QuorumView.self, from: Data(response.body)),
            view.raft.leader != 0, view.raft.role == "leader" || view.raft.role == "follower"
        else { return nil }
        let address = view.members?.first { $0.id == view.raft.leader }.flatMap { MasterAddress($0.http) }
        return LeaderReport(term: view.raft.term, leader: view.raft.leader, address: address)
    }

    /// The next SUBSCRIBE goes to `master` (the leader a report named).
    public func aim(at master: MasterAddress) {
        rotation.aim(at: master)
    }
}

/// One master's word on who leads.
public struct LeaderReport: Sendable, Hashable {
    public var term: UInt64
    public var leader: UInt64
    /// The leader's HTTP address, when the master listed it.
    public var address: MasterAddress?
}
