import Foundation
import NIOCore
import NIOHTTP1

/// One master's word on who leads, from its `GET /quorum/status`: the Raft term it is in and
/// the leader it follows there (itself when it leads). Agents and schedulers ask masters
/// other than the one whose stream they hold, so that a leader that went silent without
/// closing the stream (paused, or cut off from them but not from the other masters) is left
/// within the asking interval rather than after a heartbeat watchdog.
public struct LeaderReport: Sendable, Hashable {
    /// The term the answering master is in.
    public var term: UInt64
    /// The leader of that term (never 0: a master that knows none gives no report).
    public var leader: UInt64
    /// The leader's HTTP address, as the members list names it.
    public var address: MasterAddress?

    public init(term: UInt64, leader: UInt64, address: MasterAddress?) {
        self.term = term
        self.leader = leader
        self.address = address
    }

    /// The fields of `/quorum/status` a report needs.
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

    /// Asks `master`; nil when it does not answer in `client`'s time, knows no leader, is
    /// between terms (a candidate) or has stopped.
    public static func fetch(from master: MasterAddress, client: HTTPStreamClient, authorization: String? = nil) async -> LeaderReport? {
        var request = HTTPStreamRequest(method: .GET, path: "/quorum/status", headers: ["Accept": "application/json"])
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        guard let response = try? await client.execute(request, host: master.host, port: master.port, bodyLimitBytes: 64 << 10),
            response.status == .ok,
            let view = try? JSONDecoder().decode(QuorumView.self, from: Data(response.body)),
            view.raft.leader != 0, view.raft.role == "leader" || view.raft.role == "follower"
        else { return nil }
        let address = view.members?.first { $0.id == view.raft.leader }.flatMap { MasterAddress($0.http) }
        return LeaderReport(term: view.raft.term, leader: view.raft.leader, address: address)
    }
}
