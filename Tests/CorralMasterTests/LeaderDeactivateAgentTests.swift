@testable import CorralMaster
import CorralModel
import Testing

/// DEACTIVATE_AGENT and REACTIVATE_AGENT: a deactivated agent keeps its tasks, its offers are
/// rescinded and nothing on it is offered until it is reactivated; the flag is replicated
/// and outlives the agent's re-registration.
@Suite("Deactivated agents")
struct LeaderDeactivateAgentTests {
    typealias H = LeaderHarness
    let a1 = AgentID("a1")

    @Test func aDeactivatedAgentIsNotOfferedUntilItIsReactivated() throws {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (_, launched) = harness.accept([offer.id], [.launch([H.task("t1")])])
        _ = try harness.commit(launched)
        let again = try #require(H.offers(harness.tick()).first, "the rest of a1 is offered")
        let off = harness.applyChanges(.deactivateAgent(id: a1, deactivated: true, atNanos: 5))
        #expect(H.rescinded(off) == [again.id])
        #expect(harness.core.offers.isEmpty)
        harness.advance(.seconds(2))
        #expect(H.offers(harness.tick()).isEmpty, "nothing on a deactivated agent is offered")
        #expect(
            harness.driver.registry.tasks(onAgent: a1).map(\.key.taskID.value) == ["t1"],
            "its task stays"
        )
        // It re-registers (a restart, a fail-over): still deactivated.
        _ = try harness.subscribeAgent(Fixture.agentInfo("a1"))
        harness.advance(.seconds(2))
        #expect(H.offers(harness.tick()).isEmpty)
        _ = harness.applyChanges(.deactivateAgent(id: a1, deactivated: false, atNanos: 6))
        harness.advance(.seconds(2))
        let back = H.offers(harness.tick())
        #expect(back.count == 1)
        #expect(back.first.flatMap { Resources($0.resources).cpus } == 3, "t1's CPU is still held")
    }

    @Test func theFlagIsReplicatedAndKeptAcrossReRegistration() {
        var driver = RegistryDriver.standard()
        let changes = driver.accept(.deactivateAgent(id: a1, deactivated: true, atNanos: 5))
        #expect(changes.count == 1 && driver.registry.agents[a1]?.deactivated == true)
        #expect(
            driver.accept(.deactivateAgent(id: a1, deactivated: true, atNanos: 6)).isEmpty,
            "again: nothing changes"
        )
        driver.accept(.reregisterAgent(info: Fixture.agentInfo("a1"), reported: [], atNanos: 7))
        #expect(driver.registry.agents[a1]?.deactivated == true)
        driver.accept(.deactivateAgent(id: a1, deactivated: false, atNanos: 8))
        #expect(driver.registry.agents[a1]?.deactivated == false)
        let (unknown, none) = driver.apply(
            .deactivateAgent(id: AgentID("nope"), deactivated: true, atNanos: 9)
        )
        #expect(unknown.reason == "REASON_AGENT_UNKNOWN" && none.isEmpty)
    }

    @Test func theOperatorCallsDecodeToTheCommand() throws {
        for (type, deactivated) in [("DEACTIVATE_AGENT", true), ("REACTIVATE_AGENT", false)] {
            let json = #"{"type":"\#(type)","\#(type.lowercased())":{"agent_id":{"value":"a1"}}}"#
            let call = try MesosJSON.decode(OperatorCall.self, from: Array(json.utf8))
            let kind = try #require(call.type.flatMap(OperatorCall.Kind.init(rawValue:)))
            #expect(kind.isMutating)
            #expect(
                try call.command(for: kind)(3)
                    == .deactivateAgent(id: a1, deactivated: deactivated, atNanos: 3)
            )
        }
        let empty = try MesosJSON.decode(OperatorCall.self, from: Array(#"{"type":"DEACTIVATE_AGENT"}"#.utf8))
        #expect(throws: MasterError.self) { try empty.command(for: .deactivateAgent) }
    }
}
