import CorralModel
import CorralReplication

/// The operator API's answers about the master itself: health, version, flags, metrics and
/// `GET_MASTER` with Corral's Raft status.
enum OperatorInfo {
    static let health: JSONValue = ["healthy": true]

    static let version: JSONValue = [
        "version_info": ["version": .string(CorralVersion.mesosCompatible), "build_user": "corral"]
    ]

    /// The master's configuration as Mesos-style flags, names as in the TOML file.
    static func flags(_ config: MasterConfig) -> [(name: String, value: String)] {
        let scheduling = config.scheduling
        var flags: [(String, String)] = [
            ("cluster_id", config.clusterID),
            ("node_id", "\(config.nodeID)"),
            ("data_dir", config.dataDirectory),
            ("raft_listen", "\(config.raftListen)"),
            ("http_listen", "\(config.httpListen)"),
            ("peers", config.peers.map { "\($0.id)=\($0.raft),\($0.http)" }.joined(separator: ";")),
            ("join", "\(config.join)"),
            ("timing.tick_ms", "\(config.tickMilliseconds)"),
            ("timing.heartbeat_ticks", "\(config.heartbeatTicks)"),
            ("timing.election_ticks", "\(config.electionTicks)"),
            ("timing.outcome_wait_ms", "\(config.effectiveOutcomeWaitMilliseconds)"),
            ("timing.state_store_ms", "\(config.stateStoreMilliseconds)"),
            ("log.snapshot_every_entries", "\(config.snapshotEveryEntries)"),
            ("log.trailing_entries", "\(config.trailingEntries)"),
            ("log.max_frame_bytes", "\(config.maxFrameBytes)"),
            ("log.max_store_bytes", "\(config.maxStoreBytes)"),
            ("scheduling.policy", scheduling.policy),
            ("scheduling.allocation_interval_ms", "\(scheduling.allocationIntervalMilliseconds)"),
            ("scheduling.heartbeat_interval_seconds", "\(scheduling.heartbeatIntervalSeconds)"),
            ("scheduling.agent_heartbeat_seconds", "\(scheduling.agentHeartbeatSeconds)"),
            ("scheduling.agent_timeout_seconds", "\(scheduling.agentTimeoutSeconds)"),
            ("scheduling.failover_grace_seconds", "\(scheduling.failoverGraceSeconds)"),
            ("scheduling.update_retry_seconds", "\(scheduling.updateRetrySeconds)"),
        ]
        if let timeout = scheduling.offerTimeoutSeconds { flags.append(("scheduling.offer_timeout_seconds", "\(timeout)")) }
        for (role, priority) in scheduling.priorities.sorted(by: { $0.key < $1.key }) {
            flags.append(("scheduling.priorities.\(role)", "\(priority)"))
        }
        return flags
    }

    static func getFlags(_ config: MasterConfig) -> JSONValue {
        ["flags": .array(flags(config).map { ["name": .string($0.name), "value": .string($0.value)] })]
    }

    /// GET_METRICS: the figures `/metrics/snapshot` gives, as Mesos's list of name and value.
    static func getMetrics(_ figures: MasterFigures) -> JSONValue {
        ["metrics": .array(figures.mesosKeys.map { ["name": .string($0.name), "value": .number($0.value)] })]
    }

    /// `GetMaster`, plus the Corral extension `raft`: this master's view of the quorum.
    static func getMaster(_ snapshot: OperatorSnapshot, raft: RaftStatus) -> JSONValue {
        [
            "master_info": OperatorViews.encode(snapshot.masterInfo),
            "start_time": .number(snapshot.startTime),
            "raft": raftView(raft),
        ]
    }

    static func raftView(_ raft: RaftStatus) -> JSONValue {
        let followers = raft.followers.map { follower -> JSONValue in
            [
                "id": int(follower.id), "match_index": int(follower.match),
                "next_index": int(follower.next), "state": .string(follower.state),
                "lag": int(follower.lag), "learner": .bool(follower.learner), "active": .bool(follower.active),
            ]
        }
        return [
            "term": int(raft.term), "role": .string(raft.role), "leader": int(raft.leader),
            "commit_index": int(raft.commitIndex), "applied_index": int(raft.appliedIndex),
            "voters": .array(raft.voters.map(int)),
            "learners": .array(raft.learners.map(int)),
            "followers": .array(followers),
        ]
    }

    private static func int(_ value: UInt64) -> JSONValue { .integer(Int64(clamping: value)) }
}
