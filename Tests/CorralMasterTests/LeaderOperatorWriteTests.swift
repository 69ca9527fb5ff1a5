@testable import CorralMaster
import CorralModel
import Testing

/// An operator's write (RESERVE_RESOURCES, UPDATE_QUOTA, …) is a step of the leader's state
/// machine: the offers on the agent it reshapes are rescinded in the same step that asks to
/// commit it, and the call is answered with what the registry decided.
@Suite("LeaderStateMachine operator writes")
struct LeaderOperatorWriteTests {
    typealias H = LeaderHarness
    let a1 = AgentID("a1")

    static func reserve(_ cpus: Double) -> (UInt64) -> RegistryCommand {
        { at in .reserve(agentID: AgentID("a1"), resources: [RegistryReservationTests.scalar("cpus", cpus)], atNanos: at) }
    }

    @Test func aReserveRescindsTheAgentsOffersInTheStepThatCommitsIt() throws {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let at = harness.nanos()
        let (call, asked) = harness.call { $0.operatorWrite(Self.reserve(2), reshaping: a1, id: $1, in: $2) }
        #expect(H.rescinded(asked) == [offer.id], "the offer is rescinded before the command is proposed")
        #expect(harness.core.offers.isEmpty)
        let rescindAt = try #require(asked.firstIndex { if case .toScheduler = $0 { true } else { false } })
        let commitAt = try #require(asked.firstIndex(where: H.isCommit))
        #expect(rescindAt < commitAt)
        #expect(H.commands(asked) == [Self.reserve(2)(at)], "stamped with the replicated clock")
        let answered = try harness.commit(asked)
        #expect(answered.last == .reply(call, .done))
        #expect(harness.driver.registry.agents[a1]?.reserved.isEmpty == false)
    }

    @Test func resourcesThatAreNotFreeConflict() throws {
        var harness = try LeaderHarness.leading()
        let (call, asked) = harness.call { $0.operatorWrite(Self.reserve(8), reshaping: a1, id: $1, in: $2) }
        let answered = try harness.commit(asked)
        guard case .reply(call, .failed(let error))? = answered.last else {
            Issue.record("no failure: \(answered)")
            return
        }
        #expect(error.code == .conflict, "\(error.message)")
        #expect(harness.driver.registry.agents[a1]?.reserved.isEmpty == true)
    }

    @Test func anyOtherRefusalIsABadRequest() throws {
        var harness = try LeaderHarness.leading()
        let (call, asked) = harness.call {
            $0.operatorWrite({ .deactivateAgent(id: AgentID("nope"), deactivated: true, atNanos: $0) }, reshaping: nil, id: $1, in: $2)
        }
        #expect(H.rescinded(asked).isEmpty)
        let answered = try harness.commit(asked)
        guard case .reply(call, .failed(let error))? = answered.last else {
            Issue.record("no failure: \(answered)")
            return
        }
        #expect(error.code == .request)
    }

    @Test func aFailedProposalSaysSoAndAFollowerRefuses() throws {
        var harness = try LeaderHarness.leading()
        let (call, asked) = harness.call { $0.operatorWrite(Self.reserve(1), reshaping: a1, id: $1, in: $2) }
        struct LostLeadership: Error {}
        let failed = try harness.fail(asked, with: LostLeadership())
        guard case .reply(call, .failed(let error))? = failed.last else {
            Issue.record("no failure: \(failed)")
            return
        }
        #expect(error.message.contains("the command"))

        var follower = LeaderHarness()
        let (other, refused) = follower.call { $0.operatorWrite(Self.reserve(1), reshaping: a1, id: $1, in: $2) }
        #expect(refused == [.reply(other, .failed(LeaderStateMachine.notLeading))])
    }
}
