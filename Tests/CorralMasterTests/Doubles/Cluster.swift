import CorralTestSupport

/// Starts three real masters with `scheduling` (their TOML) and an agent
/// double on them, then runs `body` beside the agent, off the cooperative pool. `body` may add
/// its own tasks (schedulers) to `group`; everything stops when `body` returns or throws.
func withCluster(
    scheduling: String, agentCPUs: Double = 8, holdTasks: Bool = false,
    _ body: (QuorumHarness, [String], AgentDouble, inout ThrowingTaskGroup<Void, any Error>) async throws -> Void
) async throws {
    try await offCooperativePool {
        let harness = try QuorumHarness(masters: 3, config: scheduling)
        defer { harness.stopAll() }
        for id in UInt64(1)...3 { try harness.start(id) }
        let endpoints = (UInt64(1)...3).map(harness.endpoint)
        let agent = AgentDouble(masters: endpoints, cpus: agentCPUs, holdTasks: holdTasks)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await agent.run() }
            try await body(harness, endpoints, agent, &group)
            group.cancelAll()
        }
    }
}

/// Master TOML with short scheduling timers, so fail-overs are quick in tests.
func fastScheduling(agentTimeoutSeconds: Double = 4, failoverGraceSeconds: Double = 10) -> String {
    """
    [scheduling]
    allocation_interval_ms = 100
    heartbeat_interval_seconds = 0.5
    agent_heartbeat_seconds = 0.2
    agent_timeout_seconds = \(agentTimeoutSeconds)
    failover_grace_seconds = \(failoverGraceSeconds)
    update_retry_seconds = 1
    """
}
