import CorralTestSupport

/// Starts three real masters with `scheduling` (extra `corral master` arguments) and an agent
/// double on them, then runs `body` beside the agent, off the cooperative pool. `body` may add
/// its own tasks (schedulers) to `group`; everything stops when `body` returns or throws.
func withCluster(
    scheduling: [String], agentCPUs: Double = 8, holdTasks: Bool = false,
    _ body: (QuorumHarness, [String], AgentDouble, inout ThrowingTaskGroup<Void, any Error>) async throws -> Void
) async throws {
    try await offCooperativePool {
        let harness = try QuorumHarness(masters: 3, extraArguments: scheduling)
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
