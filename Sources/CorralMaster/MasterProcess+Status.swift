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
