import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// Killing to reallocate on real processes: `batch` fills the agent's two CPUs with long
/// tasks; an operator gives `prod` a guarantee of one CPU; the leader kills one batch task
/// and prod's task runs on the freed CPU.
@Suite(.serialized, .offCooperativePool) struct PreemptionEndToEndTests {
    @Test func aStarvedQuotaRoleGetsACPUByPreemption() async throws {
        let cluster = try MasterQuorum(masters: 3)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a", resources: "cpus:2;mem:512;disk:100")
        let leader = try await cluster.leader()
        let masters = [UInt64(1), 2, 3].map { cluster.address($0).description }
        let batch = try LaunchingScheduler(masters: masters, taskCount: 2, role: "batch") { id, agent in
            TaskInfo(name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 1), .scalar("mem", 16)], command: CommandInfo(value: "sleep 600"))
        }
        let runningBatch = Task(executorPreference: TestExecutor.shared) { await batch.run() }
        defer { runningBatch.cancel() }
        try await cluster.waitUntil("batch's two tasks run", seconds: 60) {
            await batch.states.values.filter { $0 == .running }.count == 2
        }
        let prod = try LaunchingScheduler(masters: masters, taskCount: 1, role: "prod") { id, agent in
            TaskInfo(name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 1), .scalar("mem", 16)], command: CommandInfo(value: "sleep 600"))
        }
        let runningProd = Task(executorPreference: TestExecutor.shared) { await prod.run() }
        defer { runningProd.cancel() }
        try await Task.sleep(for: .seconds(1))
        #expect(await prod.states.isEmpty, "no CPU is free before the guarantee")

        let quota = #"{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"prod","guarantees":{"cpus":{"value":1}}}]}}"#
        let (status, body) = try await DynamicReservationEndToEndTests.call(cluster, leader, quota)
        #expect(status == 202, "\(body)")
        let set = ContinuousClock.now
        try await cluster.waitUntil("prod's task runs", seconds: 30) {
            await prod.states[TaskID("task-0")] == .running
        }
        print("prod's task ran \(ContinuousClock.now - set) after its guarantee was set")
        let ended = await batch.states.filter { $0.value == .killed }.map(\.key)
        let summary = await batch.summary
        #expect(ended.count == 1, "one batch task was killed to make room: \(summary)")
        #expect(await batch.states.values.filter { $0 == .running }.count == 1)
        let log = (1...3).compactMap { try? String(contentsOfFile: "\(cluster.root)/master-\($0).log", encoding: .utf8) }.joined()
        #expect(log.contains("preempting a task to meet quota guarantees"), "the leader says why")
    }
}
