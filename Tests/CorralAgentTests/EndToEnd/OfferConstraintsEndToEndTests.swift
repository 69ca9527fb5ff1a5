import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// Offer constraints on real processes: two agents with different `rack` attributes, and a
/// framework whose role may be offered rack r2 only. Every offer it gets, before and after the
/// leader is killed (the scheduler sends its constraints again to the new leader), is from
/// the r2 agent, and its tasks run there; GET_FRAMEWORKS shows the constraints.
@Suite(.serialized, .offCooperativePool) struct OfferConstraintsEndToEndTests {
    @Test func aConstrainedRoleIsOfferedOnlyMatchingAgentsAcrossAFailOver() async throws {
        let cluster = try MasterQuorum(masters: 3)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent(
            "a",
            resources: "cpus:2;mem:512;disk:100;ports:[31000-31010]",
            attributes: "rack:r1"
        )
        try cluster.startAgent(
            "b",
            resources: "cpus:2;mem:512;disk:100;ports:[31000-31010]",
            attributes: "rack:r2"
        )
        var leader = try await cluster.leader()
        try await cluster.waitUntil("the leader has both agents", seconds: 60) {
            let (status, body) = try await DynamicReservationEndToEndTests.call(
                cluster,
                leader,
                #"{"type":"GET_AGENTS"}"#
            )
            return status == 200 && body.contains("agent-a") && body.contains("agent-b")
        }
        let constraints = OfferConstraints(roleConstraints: [
            "web": .init(groups: [.init([AttributeConstraint(.attribute("rack"), .textEquals("r2"))])])
        ])
        let masters = [UInt64(1), 2, 3].map { cluster.address($0).description }
        let web = try LaunchingScheduler(
            masters: masters,
            taskCount: 6,
            perOffer: 2,
            role: "web",
            declineRefuseSeconds: 0.2,
            offerConstraints: constraints
        )
        await web.allowLaunches(upTo: 3)
        let running = Task(executorPreference: TestExecutor.shared) { await web.run() }
        defer { running.cancel() }
        try await cluster.waitUntil("three tasks finished", seconds: 60) { await web.finished == 3 }
        let (status, frameworks) = try await DynamicReservationEndToEndTests.call(
            cluster,
            leader,
            #"{"type":"GET_FRAMEWORKS"}"#
        )
        #expect(
            status == 200 && frameworks.contains(#""offer_constraints""#)
                && frameworks.contains(#""text_equals""#),
            "\(frameworks)"
        )

        cluster.kill(leader)
        leader = try await cluster.leader()
        await web.allowLaunches(upTo: 6)
        try await cluster.waitUntil("six tasks finished", seconds: 60) { await web.finished == 6 }
        let hostnames = await web.offeredHostnames
        let summary = await web.summary
        #expect(
            !hostnames.isEmpty && hostnames.allSatisfy { $0 == "agent-b" },
            "offers: \(hostnames); \(summary)"
        )
        #expect(await web.frameworkIDs.count >= 2, "it subscribed again after the fail-over: \(summary)")
    }
}
