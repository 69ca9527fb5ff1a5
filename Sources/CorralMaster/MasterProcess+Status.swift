import CorralReplication

/// What `GET /quorum/status` answers.
public struct QuorumStatus: Sendable, Codable, Hashable {
    public struct Member: Sendable, Codable, Hashable {
        public var id: UInt64
        public var raft: String
        public var http: String
    }

    public var clusterID: String
    public var raft: RaftStatus
    public var members: [Member]
}

extension MasterProcess {
    public func quorumStatus() async -> QuorumStatus {
        let members = directory.all.values.sorted { $0.id < $1.id }.map {
            QuorumStatus.Member(id: $0.id, raft: "\($0.raft)", http: "\($0.http)")
        }
        return QuorumStatus(clusterID: config.clusterID, raft: await server.status, members: members)
    }
}

extension QuorumStatus {
    /// The status of the leader that every one of `statuses` names (same id, same term), when
    /// all `expected` masters answered and one of them says it leads; nil otherwise.
    public static func agreedLeader(_ statuses: [QuorumStatus], expected: Int) -> QuorumStatus? {
        guard statuses.count == expected, let leader = statuses.first(where: { $0.raft.role == "leader" }),
            statuses.allSatisfy({ $0.raft.leader == leader.raft.id && $0.raft.term == leader.raft.term })
        else { return nil }
        return leader
    }
}
