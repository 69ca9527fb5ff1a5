import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// A static reservation from an agent's `--resources`, through a real master to two real
/// frameworks: the reserved CPU is offered only to its role, with its reservation, and a task
/// that asks for it runs.
@Suite(.serialized, .offCooperativePool) struct AgentReservationEndToEndTests {
    @Test func aReservedCPUGoesOnlyToItsRoleAndRunsItsTask() async throws {
        let cluster = try MasterQuorum(masters: 1)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a", resources: "cpus:1;cpus(ml):1;mem:512;disk:100;ports:[31000-31010]")
        let masters = [cluster.address(1).description]
        // One framework at a time, each declining what it does not use for an hour, so that
        // neither starves the other whatever the allocator's order: ml first, alone, runs its
        // task on its reserved CPU; then web is offered what is free, the reserved CPU too
        // were it not kept for ml.
        let ml = try LaunchingScheduler(masters: masters, taskCount: 1, role: "ml", declineRefuseSeconds: 3600) { id, agent in
            TaskInfo(
                name: id.value, taskID: id, agentID: agent,
                resources: [.scalar("cpus", 0.5, role: "ml"), .scalar("mem", 16)], command: CommandInfo(value: "true"))
        }
        let runningML = Task(executorPreference: TestExecutor.shared) { await ml.run() }
        defer { runningML.cancel() }
        try await cluster.waitUntil("the ml task finished", seconds: 60) { await ml.finished == 1 }
        let web = try LaunchingScheduler(masters: masters, taskCount: 0, role: "web", declineRefuseSeconds: 3600)
        let runningWeb = Task(executorPreference: TestExecutor.shared) { await web.run() }
        defer { runningWeb.cancel() }
        try await cluster.waitUntil("web is offered the agent", seconds: 60) { !(await web.offeredResources.isEmpty) }
        let webOffers = await web.offeredResources
        #expect(webOffers.allSatisfy { $0.reserved().isEmpty }, "web was offered ml's CPU: \(webOffers)")
        #expect(webOffers.contains { ($0.unreserved.cpus ?? 0) > 0 }, "web gets the unreserved CPU")
        let mlOffers = await ml.offeredResources
        #expect(
            mlOffers.contains { offer in
                offer.reserved("ml").contains { $0.name == "cpus" && $0.reservations.first?.type == .static }
            }, "ml is offered its reserved CPU with the reservation: \(mlOffers)")
        let refused = await ml.refused
        let summary = await ml.summary
        #expect(refused.isEmpty, "\(summary)")
    }
}
