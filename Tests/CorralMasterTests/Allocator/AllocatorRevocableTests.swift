import CorralModel
import Testing

@testable import CorralMaster

/// Revocable resources (an agent's `--revocable-resources`): a quantity of their own, offered
/// only to frameworks with REVOCABLE_RESOURCES; the others get the firm resources alone.
@Suite struct AllocatorRevocableTests {
    /// 2 firm CPUs, 2 revocable CPUs and memory.
    static let agentResources: Resources = {
        var revocable = Resource.scalar("cpus", 2)
        revocable.revocable = Resource.Marker()
        return Resources([.scalar("cpus", 2), revocable, .scalar("mem", 1024)])
    }()

    @Test func revocableResourcesAreTheirOwnQuantity() {
        #expect(ResourceMapping.quantities(Self.agentResources) == ResourceQuantities(["cpus": 2, "cpus[revocable]": 2, "mem": 1024]))
        #expect(ResourceMapping.isRevocable(key: "cpus[revocable]") && !ResourceMapping.isRevocable(key: "cpus"))
        let carved = ResourceMapping.carve(ResourceQuantities(["cpus[revocable]": 1]), from: Self.agentResources, role: "web")
        #expect(carved.count == 1 && carved.first?.revocable != nil && carved.cpus == 1)
    }

    @Test func onlyAFrameworkThatTakesThemIsOfferedRevocableResources() throws {
        var allocator = HierarchicalAllocator(configuration: AllocatorConfiguration())
        allocator.addAgent("agent", total: ResourceMapping.quantities(Self.agentResources), used: [])
        allocator.addFramework("plain", roles: ["web"])
        let firm = try #require(allocator.allocate(nowMillis: 0).first)
        #expect(firm.resources == ResourceQuantities(["cpus": 2, "mem": 1024]))
        #expect(allocator.allocate(nowMillis: 1).isEmpty, "the revocable CPUs stay unoffered to it")
        allocator.addFramework("batch", roles: ["web"])
        let known = allocator.setTakesRevocable(framework: "batch", true)
        #expect(known)
        let revocable = try #require(allocator.allocate(nowMillis: 2).first)
        #expect(revocable.framework == "batch" && revocable.resources == ResourceQuantities(["cpus[revocable]": 2]))
        let unknown = allocator.setTakesRevocable(framework: "nobody", true)
        #expect(!unknown)
    }

    @Test func aFrameworkThatTakesThemGetsBoth() throws {
        var allocator = HierarchicalAllocator(configuration: AllocatorConfiguration())
        allocator.addAgent("agent", total: ResourceMapping.quantities(Self.agentResources), used: [])
        allocator.addFramework("batch", roles: ["web"])
        allocator.setTakesRevocable(framework: "batch", true)
        let offer = try #require(allocator.allocate(nowMillis: 0).first)
        #expect(offer.resources == ResourceQuantities(["cpus": 2, "cpus[revocable]": 2, "mem": 1024]))
    }
}
