import CorralAgent
import CorralMaster

// MARK: - TOML configs

extension FuzzTargets {
    static let configs: [FuzzTarget] = [
        FuzzTarget(
            name: "master-config", summary: "a master's TOML config (corral master --config)",
            format: .text, seeds: [[UInt8](utf8: ConfigSeeds.master)]
        ) { input, _ in _ = try MasterConfig.parse(String(decoding: input, as: UTF8.self), source: "fuzz") },
        FuzzTarget(
            name: "agent-config", summary: "an agent's TOML settings (corral agent --config)",
            format: .text, seeds: [[UInt8](utf8: ConfigSeeds.agent)]
        ) { input, _ in _ = try AgentSettings.parse(String(decoding: input, as: UTF8.self), source: "fuzz") },
    ]
}

/// Valid configs (as in `Configs/`) the config targets start from.
enum ConfigSeeds {
    static let master = """
        cluster_id = "corral-local"
        node_id = 1
        data_dir = ".corral/three-node/master-1"
        raft_listen = "127.0.0.1:7101"
        http_listen = "127.0.0.1:5051"

        [[peers]]
        id = 1
        raft = "127.0.0.1:7101"
        http = "127.0.0.1:5051"

        [[peers]]
        id = 2
        raft = "[::1]:7102"
        http = "127.0.0.1:5052"

        [timing]
        tick_ms = 10
        heartbeat_ticks = 5
        election_ticks = 30

        [log]
        snapshot_every_entries = 100000
        trailing_entries = 5000
        max_frame_bytes = 67108864
        max_store_bytes = 8589934592

        [scheduling]
        policy = "drf"
        allocation_interval_ms = 1000
        agent_timeout_seconds = 30
        failover_grace_seconds = 60
        """

    static let agent = """
        masters = ["127.0.0.1:5051", "127.0.0.1:5052", "127.0.0.1:5053"]
        work_dir = ".corral/agent-1"
        http_listen = "127.0.0.1:5061"
        resources = "cpus:2;mem:2048;ports:[31000-31999]"
        revocable_resources = "cpus:2"
        attributes = "rack:r1;zone:a"

        [timing]
        connect_timeout_ms = 2000
        request_timeout_ms = 15000
        master_silence_seconds = 45
        registration_backoff_ms = 50
        registration_backoff_max_ms = 1000
        disk_watch_interval_seconds = 15
        """
}
