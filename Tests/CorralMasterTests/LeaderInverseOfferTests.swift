@testable import CorralMaster
import CorralModel
import Testing

/// Inverse offers: a draining machine's agent asks each framework with tasks on it to leave,
/// once until it answers; the answer is the machine's status for that framework and quiets it
/// for its refuse time; a schedule that no longer names the machine rescinds what is
/// outstanding and forgets the answers.
@Suite("Leader inverse offers")
struct LeaderInverseOfferTests {
    typealias H = LeaderHarness
    let f1 = FrameworkID("f1")
    let machine = LeaderMaintenanceTests.machine

    /// Leading, with t1 of f1 running on a1, and a1's machine scheduled for maintenance.
    static func draining() throws -> LeaderHarness {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (_, launched) = harness.accept([offer.id], [.launch([H.task("t1")])])
        _ = try harness.commit(launched)
        _ = harness.applyChanges(RegistryMaintenanceTests.schedule([LeaderMaintenanceTests.machine]))
        return harness
    }

    func inverseOffers(_ actions: [H.Action]) -> [InverseOffer] {
        actions.flatMap { action -> [InverseOffer] in
            guard case .toScheduler(f1, let event) = action else { return [] }
            return event.inverseOffers?.inverseOffers ?? []
        }
    }

    func answer(_ harness: inout LeaderHarness, _ ids: [MesosOfferID], accept: Bool, refuse: Double) -> (CallID, [H.Action]) {
        var call = SchedulerCall(type: accept ? .acceptInverseOffers : .declineInverseOffers, frameworkID: f1)
        let answer = SchedulerCall.InverseOfferAnswer(inverseOfferIDs: ids, filters: Filters(refuseSeconds: refuse))
        if accept { call.acceptInverseOffers = answer } else { call.declineInverseOffers = answer }
        return harness.scheduler(call, stream: harness.core.schedulers[f1])
    }

    func status(_ harness: LeaderHarness) -> InverseOfferStatus.Kind? {
        harness.core.inverseOffers.statuses[machine]?[f1]?.status
    }

    @Test func aFrameworkWithTasksOnADrainingMachineIsAskedOnceUntilItAnswers() throws {
        var harness = try Self.draining()
        harness.advance(.seconds(1))
        let sent = inverseOffers(harness.tick())
        #expect(sent.count == 1)
        let inverse = try #require(sent.first)
        #expect(inverse.agentID == AgentID("a1") && inverse.resources.isEmpty)
        #expect(inverse.unavailability == Unavailability(start: DurationInfo(nanoseconds: 5)))
        #expect(status(harness) == .unknown, "asked, not answered")
        harness.advance(.seconds(1))
        #expect(inverseOffers(harness.tick()).isEmpty, "one is outstanding")

        let (call, declined) = answer(&harness, [inverse.id], accept: false, refuse: 10)
        #expect(declined.last == .reply(call, .done))
        #expect(status(harness) == .decline)
        harness.advance(.seconds(5))
        #expect(inverseOffers(harness.tick()).isEmpty, "quiet for its refuse time")
        harness.advance(.seconds(6))
        let again = inverseOffers(harness.tick())
        #expect(again.count == 1 && again.first?.id != inverse.id, "asked again after 10 s")
        _ = answer(&harness, again.map(\.id), accept: true, refuse: 10)
        #expect(status(harness) == .accept)
        // An answer to an inverse offer that is not outstanding changes nothing.
        let (_, stale) = answer(&harness, [inverse.id], accept: false, refuse: 0)
        #expect(status(harness) == .accept)
        #expect(stale.contains { if case .log(let line) = $0 { line.message.contains("not outstanding") } else { false } })
    }

    @Test func aScheduleWithoutTheMachineRescindsAndForgets() throws {
        var harness = try Self.draining()
        harness.advance(.seconds(1))
        let inverse = try #require(inverseOffers(harness.tick()).first)
        let changed = harness.applyChanges(.updateMaintenance(MaintenanceSchedule()))
        let rescinded = changed.compactMap { action -> MesosOfferID? in
            guard case .toScheduler(f1, let event) = action else { return nil }
            return event.rescindInverseOffer?.inverseOfferID
        }
        #expect(rescinded == [inverse.id])
        #expect(harness.core.inverseOffers.statuses.isEmpty)
        harness.advance(.seconds(10))
        #expect(inverseOffers(harness.tick()).isEmpty)
    }

    @Test func aMachineTakenDownRescindsItsInverseOffers() throws {
        var harness = try Self.draining()
        harness.advance(.seconds(1))
        let inverse = try #require(inverseOffers(harness.tick()).first)
        let down = harness.applyChanges(.startMaintenance(machines: [machine], atNanos: 10))
        let rescinded = down.compactMap { action -> MesosOfferID? in
            guard case .toScheduler(f1, let event) = action else { return nil }
            return event.rescindInverseOffer?.inverseOfferID
        }
        #expect(rescinded == [inverse.id])
        #expect(harness.core.inverseOffers.statuses.isEmpty, "a machine that is down is no longer draining")
    }

    @Test func aFrameworkWithoutTasksThereIsNotAsked() throws {
        var harness = try LeaderHarness.leading()
        _ = harness.applyChanges(RegistryMaintenanceTests.schedule([machine]))
        harness.advance(.seconds(1))
        #expect(inverseOffers(harness.tick()).isEmpty)
    }
}
