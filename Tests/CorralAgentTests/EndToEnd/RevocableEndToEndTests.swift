import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// Revocable resources on real processes: an agent with one firm CPU offers two more as
/// revocable (`--revocable-resources cpus:2`); a framework with REVOCABLE_RESOURCES is
/// offered them and runs a task on them; one without is never offered them.
@Suite(.serialized, .offCooperativePool) struct RevocableEndToEndTests {
    @Test func onlyAFrameworkThatTakesRevocableCPUsIsOfferedThemAndItsTaskRuns() async throws {
        let cluster = try MasterQuorum(masters: 3)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a", resources: "cpus:1;mem:512;disk:100", revocableResources: "cpus:2")
        let masters = [UInt64(1), 2, 3].map { cluster.address($0).description }
        var revocableCPUs = Resource.scalar("cpus", 2)
        revocableCPUs.revocable = Resource.Marker()
        let cpus = revocableCPUs
        let batch = try LaunchingScheduler(
            masters: masters, taskCount: 1, capabilities: [FrameworkInfo.Capability(.revocableResources)]
        ) { id, agent in
            TaskInfo(name: id.value, taskID: id, agentID: agent, resources: [cpus, .scalar("mem", 16)], command: CommandInfo(value: "true"))
        }
        // The plain framework refuses what it is offered for a minute: otherwise, first in
        // DRF order, it could be offered the firm CPUs and memory every cycle, leaving batch
        // revocable CPUs without the memory its task needs.
        let plain = try LaunchingScheduler(masters: masters, taskCount: 0, declineRefuseSeconds: 60)
        let runningBatch = Task(executorPreference: TestExecutor.shared) { await batch.run() }
        let runningPlain = Task(executorPreference: TestExecutor.shared) { await plain.run() }
        defer {
            runningBatch.cancel()
            runningPlain.cancel()
        }
        try await cluster.waitUntil("the task on revocable CPUs finished", seconds: 60) { await batch.finished == 1 }
        let offered = await batch.offeredResources
        #expect(offered.contains { $0.contains { $0.revocable != nil && $0.name == "cpus" } }, "\(offered)")
        try await cluster.waitUntil("the plain framework was offered something", seconds: 30) { await !plain.offeredResources.isEmpty }
        let plainOffers = await plain.offeredResources
        #expect(plainOffers.allSatisfy { $0.allSatisfy { $0.revocable == nil } }, "\(plainOffers)")
    }
}
