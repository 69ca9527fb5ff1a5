import CorralMaster
import Testing

@Suite struct AllocatorDRFTests {
    /// Mesos's UnreservedDRF: each new agent goes to the role, then framework, with the
    /// lowest dominant share.
    @Test func eachNewAgentGoesToTheLowestShare() {
        var allocator = HierarchicalAllocator()
        allocator.addAgent("agent1", total: res(cpus: 2, mem: 1024), used: [])
        allocator.addFramework("framework1", roles: ["role1"])
        #expect(allocator.allocate(nowMillis: 1).map(\.framework) == ["framework1"])

        allocator.addFramework("framework2", roles: ["role2"])
        allocator.addAgent("agent2", total: res(cpus: 1, mem: 512), used: [])
        #expect(allocator.allocate(nowMillis: 2).map(\.framework) == ["framework2"])

        allocator.addAgent("agent3", total: res(cpus: 3, mem: 2048), used: [])
        #expect(allocator.allocate(nowMillis: 3).map(\.framework) == ["framework2"])

        allocator.addFramework("framework3", roles: ["role1"])
        allocator.addAgent("agent4", total: res(cpus: 4, mem: 4096), used: [])
        let fourth = allocator.allocate(nowMillis: 4)
        #expect(fourth.map(\.framework) == ["framework3"])
        #expect(fourth.first?.resources == res(cpus: 4, mem: 4096))

        allocator.addFramework("framework4", roles: ["role1"])
        allocator.addAgent("agent5", total: res(cpus: 1, mem: 512), used: [])
        #expect(allocator.allocate(nowMillis: 5).map(\.framework) == ["framework2"], "role2's share is lower")
    }

    /// Two frameworks with opposite demand shapes (memory-heavy and CPU-heavy) end with equal
    /// dominant shares, to within one task.
    @Test func oppositeDemandsConvergeToEqualDominantShares() {
        var allocator = HierarchicalAllocator()
        for index in 0..<10 { allocator.addAgent("agent\(index)", total: res(cpus: 4, mem: 8), used: []) }
        allocator.addFramework("memory-heavy", roles: ["a"])
        allocator.addFramework("cpu-heavy", roles: ["b"])
        let launched = runUntilFull(
            &allocator,
            frameworks: [
                GreedyFramework(id: "memory-heavy", task: res(cpus: 1, mem: 4)),
                GreedyFramework(id: "cpu-heavy", task: res(cpus: 2, mem: 1)),
            ])
        // Each task is 5% of the cluster in its dominant resource (4 of 80 mem, 2 of 40 cpus).
        let memoryShare = Double(launched["memory-heavy", default: 0]) * 0.05
        let cpuShare = Double(launched["cpu-heavy", default: 0]) * 0.05
        #expect(memoryShare > 0.3 && cpuShare > 0.3)
        #expect(abs(memoryShare - cpuShare) <= 0.05 + 1e-9, "launched \(launched)")
    }

    /// A role with weight 2 ends with twice the dominant share of a role with weight 1.
    @Test func weightsSkewSharesProportionally() {
        var allocator = HierarchicalAllocator()
        for index in 0..<30 { allocator.addAgent("agent\(index)", total: res(cpus: 1, mem: 1), used: []) }
        allocator.addFramework("light", roles: ["light"])
        allocator.addFramework("heavy", roles: ["heavy"])
        allocator.setWeight(2, role: "heavy")
        let task = res(cpus: 1, mem: 1)
        let launched = runUntilFull(
            &allocator, frameworks: [GreedyFramework(id: "light", task: task), GreedyFramework(id: "heavy", task: task)])
        #expect(launched == ["light": 10, "heavy": 20])
    }

    /// Fair sharing happens first between top-level roles, then inside each subtree.
    @Test func hierarchicalRolesShareAtEachLevel() {
        var allocator = HierarchicalAllocator()
        for index in 0..<6 { allocator.addAgent("agent\(index)", total: res(cpus: 1, mem: 1), used: []) }
        allocator.addFramework("web", roles: ["eng/web"])
        allocator.addFramework("batch", roles: ["eng/batch"])
        allocator.addFramework("ops", roles: ["ops"])
        let offers = allocator.allocate(nowMillis: 1)
        #expect(offers.count == 6)
        #expect(allocator.consumption(ofRole: "ops") == res(cpus: 3, mem: 3))
        #expect(allocator.consumption(ofRole: "eng") == res(cpus: 3, mem: 3))
        let web = allocator.consumption(ofRole: "eng/web")["cpus"]
        let batch = allocator.consumption(ofRole: "eng/batch")["cpus"]
        #expect(web + batch == 3000 && abs(web - batch) == 1000)
    }

    /// A role's own frameworks compete with its subroles as one more child.
    @Test func aRolesOwnFrameworksCompeteWithItsSubroles() {
        var allocator = HierarchicalAllocator()
        for index in 0..<4 { allocator.addAgent("agent\(index)", total: res(cpus: 1), used: []) }
        allocator.addFramework("parent", roles: ["eng"])
        allocator.addFramework("child", roles: ["eng/web"])
        _ = allocator.allocate(nowMillis: 1)
        #expect(allocator.consumption(ofRole: "eng/web") == res(cpus: 2))
        #expect(allocator.consumption(ofRole: "eng") == res(cpus: 4))
    }
}
