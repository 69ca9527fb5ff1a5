import CorralModel
import Testing

@testable import CorralMaster

/// Static reservations (`cpus(ml):2` in an agent's `--resources`): offered only to their role
/// and its sub-roles, and offered with their reservation. Before, the master summed every
/// resource over its reservations, so reserved CPUs went to every role.
@Suite struct AllocatorReservationTests {
    /// An agent with 2 unreserved CPUs, 1 CPU reserved for `ml`, and memory.
    static let agentResources = Resources([
        .scalar("cpus", 2), .scalar("cpus", 1, role: "ml"), .scalar("mem", 1024),
    ])

    @Test func reservedResourcesAreTheirOwnQuantity() {
        let quantities = ResourceMapping.quantities(Self.agentResources)
        #expect(quantities == ResourceQuantities(["cpus": 2, "cpus(ml)": 1, "mem": 1024]))
        #expect(ResourceMapping.reservedRole(ofKey: "cpus(ml)") == "ml")
        #expect(ResourceMapping.reservedRole(ofKey: "cpus") == nil)
        #expect(ResourceMapping.mayUse("ml", reservedFor: "ml"))
        #expect(ResourceMapping.mayUse("ml/train", reservedFor: "ml"))
        #expect(!ResourceMapping.mayUse("mlops", reservedFor: "ml"))
        #expect(!ResourceMapping.mayUse("*", reservedFor: "ml"))
    }

    @Test func anotherRoleIsNeverOfferedWhatIsReservedForML() throws {
        var allocator = HierarchicalAllocator(configuration: AllocatorConfiguration())
        allocator.addAgent("agent", total: ResourceMapping.quantities(Self.agentResources), used: [])
        allocator.addFramework("web", roles: ["web"])
        let offers = allocator.allocate(nowMillis: 0)
        let offer = try #require(offers.first)
        #expect(offers.count == 1)
        #expect(offer.resources == ResourceQuantities(["cpus": 2, "mem": 1024]))
        #expect(allocator.allocate(nowMillis: 1).isEmpty, "the reserved CPU stays unoffered")
    }

    @Test func theReservedRoleAndItsSubRolesGetTheReservation() throws {
        for role in ["ml", "ml/train"] {
            var allocator = HierarchicalAllocator(configuration: AllocatorConfiguration())
            allocator.addAgent("agent", total: ResourceMapping.quantities(Self.agentResources), used: [])
            allocator.addFramework("trainer", roles: [role])
            let offer = try #require(allocator.allocate(nowMillis: 0).first)
            #expect(offer.resources == ResourceQuantities(["cpus": 2, "cpus(ml)": 1, "mem": 1024]), "role \(role)")
        }
    }

    @Test func anOfferCarriesTheReservationOfWhatItHolds() {
        let wanted = ResourceQuantities(["cpus": 1, "cpus(ml)": 1, "mem": 512])
        let carved = ResourceMapping.carve(wanted, from: Self.agentResources, role: "ml")
        let reserved = carved.reserved("ml")
        #expect(reserved.cpus == 1)
        #expect(reserved.allSatisfy { $0.reservations.first?.type == .static })
        #expect(carved.unreserved.cpus == 1)
        #expect(carved.memMegabytes == 512)
        #expect(carved.allSatisfy { $0.allocationInfo?.role == "ml" })
    }

    @Test func aVolumeIsOfferedWholeOrNotAtAll() {
        let volume = RegistryVolumeTests.volume("v1", 200, role: "db")
        let plain = RegistryVolumeTests.disk(100, role: "db")
        let available = Resources([plain, volume])
        let whole = ResourceMapping.carve(ResourceQuantities(["disk(db)": 300]), from: available, role: "db")
        #expect(whole.volumes.count == 1 && whole.volumes.first?.scalar == Scalar(200), "\(whole)")
        #expect(whole.diskMegabytes == 300)
        // Offered 250 of the role's disk, the 200 MB volume does not fit in what is left after
        // the plain 100: it is left out, not cut to 150.
        let part = ResourceMapping.carve(ResourceQuantities(["disk(db)": 250]), from: available, role: "db")
        #expect(part.volumes.isEmpty, "\(part)")
        #expect(part.diskMegabytes == 100)
    }
}
