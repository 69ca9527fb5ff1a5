@testable import CorralMaster
import CorralModel
import Testing

/// Preemption on the leader: after an allocation cycle, the task `Preemption.plan` picks is
/// killed once (its agent told, with no kill policy of the leader's own), and not again while
/// the kill is under way.
@Suite("Leader preemption")
struct LeaderPreemptionTests {
    typealias H = LeaderHarness

    @Test func aStarvedQuotaRoleHasAnotherRolesTaskKilledOnce() throws {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (_, launched) = harness.accept([offer.id], [.launch([H.task("t1", cpus: 2), H.task("t2", cpus: 2)])])
        _ = try harness.commit(launched)
        #expect(H.agentEvents(harness.tick(), .kill).isEmpty, "no guarantee, no preemption")
        _ = try harness.subscribeFramework(Fixture.frameworkInfo("f9", roles: ["prod"]))
        _ = harness.applyChanges(.updateQuota([QuotaRecord(role: "prod", guarantees: ["cpus": 1], limits: [:])]))
        harness.advance(.seconds(1))
        let actions = harness.tick()
        let kills = H.agentEvents(actions, .kill)
        // Launched together: the first by task ID goes.
        #expect(kills.map { $0.1.kill?.taskID.value } == ["t1"], "\(kills)")
        #expect(kills.first?.1.kill?.killPolicy == nil, "the task's own kill policy applies")
        #expect(actions.contains { if case .log(let line) = $0 { line.message.contains("preempting") } else { false } })
        #expect(harness.core.preempting == [Fixture.key("f1", "t1")])
        harness.advance(.seconds(1))
        #expect(H.agentEvents(harness.tick(), .kill).isEmpty, "killed once")
        _ = harness.applyChanges(Fixture.update("f1", "t1", .killed, uuid: 1))
        harness.advance(.seconds(1))
        let after = harness.tick()
        #expect(H.agentEvents(after, .kill).isEmpty)
        #expect(harness.core.preempting.isEmpty)
        let offered = H.offers(after, to: FrameworkID("f9"))
        #expect(offered.contains { (Resources($0.resources).cpus ?? 0) >= 1 }, "the freed CPUs go to prod: \(after)")
    }
}
