@testable import CorralMaster
import CorralModel
import Testing

/// Turning allocator decisions into Mesos offers: never naming resources that tasks hold or
/// that another outstanding offer names.
@Suite("LeaderStateMachine offers")
struct MakeOffersTests {
    let f1 = FrameworkID("f1")
    let f2 = FrameworkID("f2")

    /// Agent a1 (4 cpus, 1024 mem) with one task of f1 holding 1 cpu and 64 mem.
    func registry() -> Registry {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1", cpus: 1, mem: 64)]))
        return driver.registry
    }

    func decision(_ number: UInt64, _ framework: String, agent: String = "a1", cpus: Double, mem: Double) -> OfferDecision {
        OfferDecision(
            offerID: number, framework: framework, role: "web", agent: agent,
            resources: ResourceQuantities(["cpus": cpus, "mem": mem]), offeredAtMillis: 0)
    }

    func total(_ offers: [LiveOffer], _ name: String) -> Double {
        offers.reduce(0) { $0 + Double(ResourceMapping.quantities($1.resources)[name]) / 1000 }
    }

    @Test func offersOnAnAgentNeverNameMoreThanItHasLeft() {
        let registry = registry()
        // An offer already out for 1 cpu and 100 mem.
        let (earlier, _) = LeaderStateMachine.makeOffers(
            [decision(1, "f2", cpus: 1, mem: 100)], term: 4, registry: registry, connected: [f1, f2], outstanding: [])
        #expect(earlier.map(\.offer.id) == [MesosOfferID("4-O1")])
        // The allocator asks for more than is left (3 cpus - 1 offered = 2): the cycle's offers
        // get what there is, in order, and nothing twice.
        let (made, declined) = LeaderStateMachine.makeOffers(
            [decision(2, "f1", cpus: 1.5, mem: 500), decision(3, "f2", cpus: 1.5, mem: 500)],
            term: 4, registry: registry, connected: [f1, f2], outstanding: earlier)
        #expect(declined.isEmpty)
        #expect(made.map(\.offer.id) == [MesosOfferID("4-O2"), MesosOfferID("4-O3")])
        #expect(total(made, "cpus") == 2, "4 cpus, 1 held by t1, 1 offered before")
        #expect(total(made, "mem") == 1024 - 64 - 100)
        #expect(total(Array(made.prefix(1)), "cpus") == 1.5)
        #expect(made.allSatisfy { $0.offer.resources.allSatisfy { $0.allocationInfo?.role == "web" } })
        #expect(made.first?.offer.hostname == "a1.example")
    }

    @Test func decisionsForUnknownAgentsOrAbsentSchedulersAreDeclined() {
        let (made, declined) = LeaderStateMachine.makeOffers(
            [decision(1, "f1", agent: "nowhere", cpus: 1, mem: 1), decision(2, "f2", cpus: 1, mem: 1), decision(3, "f1", cpus: 1, mem: 1)],
            term: 2, registry: registry(), connected: [f1], outstanding: [])
        #expect(declined.map(\.offerID) == [1, 2])
        #expect(made.map(\.decision.offerID) == [3])
    }
}
