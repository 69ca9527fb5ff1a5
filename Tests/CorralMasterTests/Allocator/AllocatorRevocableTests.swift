import CorralModel
import CorralScheduler
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

    /// Once an agent has only revocable resources left, the cycle asks only the clients that
    /// take them (a second order of its own); they still come in DRF order, and that order
    /// follows their shares as offers are made, whoever else stands before them.
    @Test func revocableResourcesGoToTheTakersInDRFOrder() throws {
        var allocator = HierarchicalAllocator(configuration: AllocatorConfiguration())
        for index in 0..<4 {
            allocator.addAgent("agent-\(index)", total: ResourceMapping.quantities(Self.agentResources), used: [])
        }
        // Three plain frameworks stand before the two that take revocable resources (ties go
        // by id), and "a-batch" starts with a larger share than "b-batch".
        for id in ["0-plain", "1-plain", "2-plain", "a-batch", "b-batch"] { allocator.addFramework(id, roles: ["web"]) }
        allocator.setTakesRevocable(framework: "a-batch", true)
        allocator.setTakesRevocable(framework: "b-batch", true)
        allocator.addAgent("held", total: ResourceQuantities(["cpus": 1]), used: [
            UsedResources(framework: "a-batch", role: "web", resources: ResourceQuantities(["cpus": 1]))
        ])
        let offers = allocator.allocate(nowMillis: 0)
        let revocable = offers.filter { $0.resources.entries.contains { $0.name == "cpus[revocable]" } }
        // Each agent goes firm to the plain framework first in order (its share then 1/4),
        // and its revocable CPUs to the taker with the lower share: b-batch (0) before a-batch
        // (1/9); then a-batch (1/9, before b-batch's 1/4); then a-batch again (1/4 each, a
        // first by id); then b-batch (1/4 against a-batch's 1/2).
        #expect(offers.count == 8, "\(offers)")
        #expect(revocable.map(\.framework) == ["b-batch", "a-batch", "a-batch", "b-batch"], "\(revocable)")
        #expect(revocable.allSatisfy { $0.resources == ResourceQuantities(["cpus[revocable]": 2]) })
        let firm = offers.filter { $0.framework.hasSuffix("plain") }
        #expect(firm.map(\.framework) == ["0-plain", "1-plain", "2-plain", "0-plain"], "\(firm)")
        #expect(firm.allSatisfy { $0.resources == ResourceQuantities(["cpus": 2, "mem": 1024]) })
    }

    /// A filter compared only on the kinds an offer holds past the fourth (what a cycle does)
    /// decides as the full comparison does, and both as comparing every kind.
    @Test(arguments: 0..<50) func aFilterComparedOnTheKindsHeldDecidesAsTheFullComparison(seed: UInt64) {
        var rng = CorralScheduler.SplitMix64(seed: seed)
        for _ in 0..<50 {
            let count = Int.random(in: 1...12, using: &rng)
            func vector() -> ResourceVector {
                var vector = ResourceVector(count: count)
                for index in 0..<count where Bool.random(using: &rng) { vector.millis[index] = Int64.random(in: 0...3, using: &rng) }
                return vector
            }
            let filtered = vector()
            let (filter, overflow) = OfferFilter.make(agentGeneration: 0, resources: filtered, expiresAtMillis: 1)
            let offerable = vector()
            let held = (4..<max(4, count)).filter { offerable.millis[$0] > 0 }
            #expect(
                filter.covers(offerable, head: offerable.head, nonZeroTail: held, overflow: overflow)
                    == filter.covers(offerable, head: offerable.head, overflow: overflow),
                "seed \(seed): \(offerable.millis) against \(filtered.millis)")
            // And both decide as comparing every kind: the filter's inline pairs (one or two
            // kinds past the fourth) and its overflow (more) keep what it filtered.
            #expect(
                filter.covers(offerable, head: offerable.head, overflow: overflow) == offerable.isLessThanOrEqual(filtered),
                "seed \(seed): \(offerable.millis) against \(filtered.millis)")
        }
    }
}
