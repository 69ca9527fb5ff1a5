import CorralContainer
import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An agent that goes silent past the timeout is unreachable; when it comes back, the tasks of
/// partition-aware frameworks run on, the others were lost and are killed, as in Mesos.
@Suite(.serialized, .offCooperativePool) struct AgentPartitionTests {
    @Test func aPausedAgentIsUnreachableAndReconciledWhenItReturns() async throws {
        let cluster = try MasterQuorum(masters: 1, settings: """
            [scheduling]
            agent_heartbeat_seconds = 0.5
            agent_timeout_seconds = 2
            allocation_interval_ms = 100
            """)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a")
        let masters = [cluster.address(1).description]
        let sleeper: @Sendable (TaskID, AgentID) -> TaskInfo = { id, agent in
            TaskInfo(name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 0.1), .scalar("mem", 16)],
                     command: CommandInfo(value: "sleep 60"))
        }
        let aware = try LaunchingScheduler(masters: masters, taskCount: 1, partitionAware: true, makeTask: sleeper)
        let unaware = try LaunchingScheduler(masters: masters, taskCount: 1, makeTask: sleeper)
        let runs = [Task(executorPreference: TestExecutor.shared) { await aware.run() }, Task(executorPreference: TestExecutor.shared) { await unaware.run() }]
        defer { for run in runs { run.cancel() } }
        let task = TaskID("task-0")
        try await cluster.waitUntil("both tasks running", seconds: 60) {
            let one = await aware.states[task]
            let other = await unaware.states[task]
            return one == .running && other == .running
        }
        let agent = try #require(cluster.agents["a"])
        kill(agent.processIdentifier, SIGSTOP)
        try await cluster.waitUntil("the agent's tasks unreachable and lost", seconds: 30) {
            let one = await aware.states[task]
            let other = await unaware.states[task]
            return one == .unreachable && other == .lost
        }
        kill(agent.processIdentifier, SIGCONT)
        try await cluster.waitUntil("the partition-aware task running again", seconds: 30) {
            await aware.states[task] == .running
        }
        let store = AgentChild.taskStore(workDirectory: cluster.workDirectory("a"))
        let unawareID = try #require(await unaware.frameworkIDs.first)
        try await cluster.waitUntil("the lost task's container stopped", seconds: 30) {
            let records = (try? store.list()) ?? []
            return !records.contains { record in
                record.labels["corral.agent/framework-id"] == unawareID.value && record.isRunning
            }
        }
        let lostStates = await unaware.statuses[task]?.map(\.state) ?? []
        // One terminal state, LOST; it may come more than once (an update is resent until
        // acknowledged, and a reconciliation answers with the latest state again).
        #expect(
            Set(lostStates.filter(\.isTerminal)) == [.lost],
            "the unaware framework saw \(lostStates.map(\.rawValue))")
        let awareStates = await aware.statuses[task]?.map(\.state) ?? []
        let awareEnded = awareStates.filter(\.isTerminal)
        #expect(awareEnded.isEmpty, "the aware framework saw \(awareStates.map(\.rawValue))")
    }
}
