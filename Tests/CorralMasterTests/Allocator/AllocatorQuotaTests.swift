import CorralMaster
import Testing

@Suite struct AllocatorQuotaTests {
    /// A role below its guarantee is offered agents before a role with a lower share.
    @Test func guaranteeIsSatisfiedBeforeFairShare() {
        var allocator = HierarchicalAllocator()
        allocator.addAgent(
            "busy", total: res(cpus: 2, mem: 2),
            used: [UsedResources(framework: "quota", role: "quota", resources: res(cpus: 2, mem: 2))])
        for index in 0..<4 { allocator.addAgent("agent\(index)", total: res(cpus: 1, mem: 1), used: []) }
        allocator.addFramework("quota", roles: ["quota"])
        allocator.addFramework("other", roles: ["other"])
        allocator.setQuota(role: "quota", guarantee: res(cpus: 4), limit: nil)
        // Without quota, "other" (share 0) would get agent0 and agent2.
        let offers = allocator.allocate(nowMillis: 1)
        #expect(offers.map(\.framework) == ["quota", "quota", "other", "other"])
        #expect(allocator.consumption(ofRole: "quota")["cpus"] == 4000)
    }

    /// A parent's guarantee is met through the frameworks of its subroles.
    @Test func parentGuaranteeIsSatisfiedThroughSubroles() {
        var allocator = HierarchicalAllocator()
        allocator.addAgent(
            "busy", total: res(cpus: 4),
            used: [UsedResources(framework: "web", role: "eng/web", resources: res(cpus: 4))])
        for index in 0..<4 { allocator.addAgent("agent\(index)", total: res(cpus: 1), used: []) }
        allocator.addFramework("web", roles: ["eng/web"])
        allocator.addFramework("other", roles: ["other"])
        allocator.setQuota(role: "eng", guarantee: res(cpus: 6), limit: nil)
        let offers = allocator.allocate(nowMillis: 1)
        #expect(offers.map(\.framework) == ["web", "web", "other", "other"])
    }

    /// Resources an unmet guarantee needs are held back from other roles even when the
    /// quota role's framework refused them (quota headroom).
    @Test func headroomForAnUnmetGuaranteeIsHeldBack() {
        var allocator = HierarchicalAllocator()
        for index in 0..<4 { allocator.addAgent("agent\(index)", total: res(cpus: 1, mem: 1), used: []) }
        allocator.addFramework("quota", roles: ["quota"])
        allocator.addFramework("other", roles: ["other"])
        allocator.setQuota(role: "quota", guarantee: res(cpus: 2), limit: nil)
        let first = allocator.allocate(nowMillis: 1)
        #expect(first.map(\.framework) == ["quota", "quota", "other", "other"])
        for offer in first where offer.framework == "quota" {
            allocator.decline(offer: offer.offerID, refuseSeconds: 100, nowMillis: 1)
        }
        // Two cpus stay free for "quota"; "other" may only take memory from those agents.
        let second = allocator.allocate(nowMillis: 2)
        #expect(second.allSatisfy { $0.framework == "other" && $0.resources["cpus"] == 0 })
        let totalCPUs = ["agent0", "agent1", "agent2", "agent3"].compactMap { allocator.allocation(ofAgent: $0) }
            .map { $0.offered["cpus"] + $0.used["cpus"] }.reduce(0, +)
        #expect(totalCPUs == 2000)
    }

    /// A role never holds more than its limit: whole agents stop, and a bigger agent is split.
    @Test func limitIsNeverExceeded() {
        var allocator = HierarchicalAllocator()
        for index in 0..<4 { allocator.addAgent("agent\(index)", total: res(cpus: 1, mem: 1), used: []) }
        allocator.addFramework("capped", roles: ["capped"])
        allocator.setQuota(role: "capped", guarantee: ResourceQuantities(), limit: res(cpus: 2.5))
        let offers = allocator.allocate(nowMillis: 1)
        // The limit names cpus only, so the last agent's memory is still offered.
        #expect(
            offers.map(\.resources) == [res(cpus: 1, mem: 1), res(cpus: 1, mem: 1), res(cpus: 0.5, mem: 1), res(mem: 1)])
        #expect(allocator.consumption(ofRole: "capped")["cpus"] == 2500)

        allocator.addFramework("free", roles: ["free"])
        let more = allocator.allocate(nowMillis: 2)
        #expect(more.allSatisfy { $0.framework == "free" })
        #expect(more.map(\.resources) == [res(cpus: 0.5), res(cpus: 1)])
        #expect(allocator.consumption(ofRole: "capped")["cpus"] == 2500)
    }

    /// A parent's limit caps its subroles together.
    @Test func parentLimitCapsSubroles() {
        var allocator = HierarchicalAllocator()
        for index in 0..<6 { allocator.addAgent("agent\(index)", total: res(cpus: 1), used: []) }
        allocator.addFramework("web", roles: ["eng/web"])
        allocator.addFramework("batch", roles: ["eng/batch"])
        allocator.setQuota(role: "eng", guarantee: ResourceQuantities(), limit: res(cpus: 3))
        _ = allocator.allocate(nowMillis: 1)
        #expect(allocator.consumption(ofRole: "eng") == res(cpus: 3))
    }
}
