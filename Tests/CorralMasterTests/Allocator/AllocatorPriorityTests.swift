import CorralMaster
import Testing

@Suite struct AllocatorPriorityTests {
    func priorityAllocator() -> any Allocator {
        var allocator = makeAllocator(AllocatorConfiguration(policy: .strictPriority(["high": 10, "low": 1])))
        for index in 0..<4 { allocator.addAgent("agent\(index)", total: res(cpus: 1, mem: 1), used: []) }
        allocator.addFramework("low", roles: ["low"])
        allocator.addFramework("high", roles: ["high"])
        allocator.addFramework("default", roles: ["default"])
        return allocator
    }

    @Test func higherPriorityTakesEverythingFirst() {
        var allocator = priorityAllocator()
        #expect(allocator.allocate(nowMillis: 1).map(\.framework) == ["high", "high", "high", "high"])
    }

    @Test func lowerPrioritiesGetWhatHigherOnesRefuseInOrder() {
        var allocator = priorityAllocator()
        for offer in allocator.allocate(nowMillis: 1) {
            allocator.decline(offer: offer.offerID, refuseSeconds: 60, nowMillis: 1)
        }
        let second = allocator.allocate(nowMillis: 2)
        #expect(second.map(\.framework) == ["low", "low", "low", "low"])
        for offer in second { allocator.decline(offer: offer.offerID, refuseSeconds: 60, nowMillis: 2) }
        #expect(allocator.allocate(nowMillis: 3).map(\.framework) == ["default", "default", "default", "default"])
    }

    @Test func higherPriorityStopsAtItsLimit() {
        var allocator = priorityAllocator()
        allocator.setQuota(role: "high", guarantee: ResourceQuantities(), limit: res(cpus: 1, mem: 1))
        let offers = allocator.allocate(nowMillis: 1)
        #expect(offers.map(\.framework) == ["high", "low", "low", "low"])
        #expect(offers.first?.resources == res(cpus: 1, mem: 1))
    }

    @Test func suppressedHigherPriorityLetsLowerOnesIn() {
        var allocator = priorityAllocator()
        allocator.suppress(framework: "high", role: nil)
        #expect(allocator.allocate(nowMillis: 1).map(\.framework) == ["low", "low", "low", "low"])
    }
}
