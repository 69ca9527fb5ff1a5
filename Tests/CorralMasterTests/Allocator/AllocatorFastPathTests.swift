import CorralTestSupport
import Testing

@testable import CorralMaster

/// Feeds the same random events, with reservations, revocable resources, hierarchical roles,
/// quotas, offer constraints, suppression and filters, to two allocators: one taking the
/// cycle's shortcuts, one not (`usesFastPaths` off, the straightforward reference). Every
/// cycle must make the same offers, and the outstanding offers must stay the same.
struct PairedAllocatorWorkload {
    static let agentIDs = (0..<6).map { "agent\($0)" }
    static let frameworkIDs = (0..<5).map { "framework\($0)" }
    static let roleNames = ["a", "b", "a/x", "c"]
    static let kinds = ["cpus", "mem", "disk", "cpus(a)", "cpus(a/x)", "mem(b)", "cpus[revocable]", "mem[revocable]", "gpus"]

    var fast: HierarchicalAllocator
    var reference: HierarchicalAllocator
    var generator: SeededGenerator
    let seed: UInt64
    /// Extra kinds every agent may have: past 64 kinds in all, the cycle's kind bits stop
    /// being exact and the vectors decide.
    let extraKinds: [String]
    var nowMillis: UInt64 = 0
    var offersMade = 0

    init(seed: UInt64, policy: AllocationPolicy, extraKinds: Int = 0) {
        let configuration = AllocatorConfiguration(policy: policy, offerTimeoutMillis: 4_000)
        fast = HierarchicalAllocator(configuration: configuration)
        reference = HierarchicalAllocator(configuration: configuration)
        reference.usesFastPaths = false
        generator = SeededGenerator(seed: seed)
        self.seed = seed
        self.extraKinds = (0..<extraKinds).map { "extra\($0)" }
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &generator) < percent }

    mutating func resources(scale: Int) -> ResourceQuantities {
        var millis: [String: Int64] = [:]
        for kind in Self.kinds + extraKinds where chance(kind.contains("(") || kind.contains("[") ? 40 : 80) {
            millis[kind] = Int64(Int.random(in: 0...scale, using: &generator)) * 500
        }
        return ResourceQuantities(millis: millis)
    }

    mutating func pick<T>(_ values: [T]) -> T { values.randomElement(using: &generator)! }

    /// Applies `change` to both allocators and checks they answer alike.
    mutating func both<R: Equatable>(_ what: String, _ change: (inout HierarchicalAllocator) -> R) {
        let fastResult = change(&fast)
        let referenceResult = change(&reference)
        #expect(fastResult == referenceResult, "seed \(seed): \(what) answered differently")
    }

    mutating func run(steps: Int) {
        for step in 0..<steps {
            self.step()
            let (fastOffers, referenceOffers) = (fast.outstandingOffers, reference.outstandingOffers)
            #expect(fastOffers == referenceOffers, "seed \(seed), step \(step): outstanding offers differ")
            if fastOffers != referenceOffers { return }
        }
    }

    mutating func step() {
        let agent = pick(Self.agentIDs)
        let framework = pick(Self.frameworkIDs)
        let role = pick(Self.roleNames)
        let now = nowMillis
        switch Int.random(in: 0..<100, using: &generator) {
        case 0..<10:
            let total = resources(scale: 16)
            let used = chance(30) ? [UsedResources(framework: framework, role: role, resources: resources(scale: 4))] : []
            both("addAgent") { allocator -> Bool in
                allocator.addAgent(agent, total: total, used: used)
                return true
            }
        case 10..<12: both("removeAgent") { $0.removeAgent(agent) }
        case 12..<14:
            let total = resources(scale: 16)
            both("updateAgent") { $0.updateAgent(agent, total: total) }
        case 14..<20:
            let roles = Self.roleNames.filter { _ in chance(40) }
            both("addFramework") { allocator -> Bool in
                allocator.addFramework(framework, roles: roles.isEmpty ? [role] : roles)
                return true
            }
        case 20..<23:
            let takes = chance(60)
            both("setTakesRevocable") { $0.setTakesRevocable(framework: framework, takes) }
        case 23..<24: both("removeFramework") { $0.removeFramework(framework) }
        case 24..<44:
            let offers = fast.allocate(nowMillis: now)
            offersMade += offers.count
            #expect(offers == reference.allocate(nowMillis: now), "seed \(seed): a cycle at \(now) decided differently")
        case 44..<62:
            guard let offer = fast.outstandingOffers.randomElement(using: &generator) else { break }
            let refuse = pick([0, 1, 5, 1000] as [Double])
            if chance(30) {
                let launched = resources(scale: 4)
                both("accept") { $0.accept(offer: offer.offerID, launched: launched, refuseSeconds: refuse, nowMillis: now) }
            } else if chance(70) {
                both("decline") { $0.decline(offer: offer.offerID, refuseSeconds: refuse, nowMillis: now) }
            } else {
                let part = resources(scale: 4)
                both("decline part") {
                    $0.decline(
                        framework: offer.framework, role: offer.role, agent: offer.agent, resources: part,
                        refuseSeconds: refuse, nowMillis: now)
                }
            }
        case 62..<68:
            let amount = resources(scale: 4)
            both("recover") { $0.recover(framework: framework, role: role, agent: agent, resources: amount) }
        case 68..<70:
            let amount = resources(scale: 2)
            both("taskLaunched") { $0.taskLaunched(framework: framework, role: role, agent: agent, resources: amount) }
        case 70..<74:
            let only: String? = chance(50) ? role : nil
            both("suppress") { $0.suppress(framework: framework, role: only) }
        case 74..<79:
            let only: String? = chance(50) ? role : nil
            both("revive") { $0.revive(framework: framework, role: only) }
        case 79..<81:
            let suppressed = Set(Self.roleNames.filter { _ in chance(30) })
            both("setSuppressedRoles") { $0.setSuppressedRoles(framework: framework, roles: suppressed) }
        case 81..<85:
            let eligible: Set<String>? = chance(40) ? nil : Set(Self.agentIDs.filter { _ in chance(60) })
            both("setEligibleAgents") { $0.setEligibleAgents(framework: framework, role: role, agents: eligible) }
        case 85..<91:
            let guarantee = chance(50) ? resources(scale: 3) : ResourceQuantities()
            let limit = chance(50) ? resources(scale: 8) : nil
            both("setQuota") { allocator -> Bool in
                allocator.setQuota(role: role, guarantee: guarantee, limit: limit)
                return true
            }
        case 91..<94:
            let weight = Double(Int.random(in: 1...4, using: &generator))
            both("setWeight") { allocator -> Bool in
                allocator.setWeight(weight, role: role)
                return true
            }
        default: both("expireOffers") { $0.expireOffers(nowMillis: now) }
        }
        nowMillis += UInt64.random(in: 0...1_500, using: &generator)
    }
}

@Suite struct AllocatorFastPathTests {
    @Test(arguments: [101, 102, 103, 104, 105, 106, 107, 108, 109, 110] as [UInt64])
    func shortcutsDecideAsTheReferenceUnderDRF(seed: UInt64) {
        print("AllocatorFastPathTests DRF seed \(seed)")
        var workload = PairedAllocatorWorkload(seed: seed, policy: .dominantResourceFairness)
        workload.run(steps: 1_200)
        #expect(workload.offersMade > 100, "seed \(seed) made offers")
    }

    @Test(arguments: [201, 202, 203] as [UInt64])
    func shortcutsDecideAsTheReferenceUnderStrictPriority(seed: UInt64) {
        print("AllocatorFastPathTests strict priority seed \(seed)")
        var workload = PairedAllocatorWorkload(seed: seed, policy: .strictPriority(["a": 2, "c": 5]))
        workload.run(steps: 1_200)
        #expect(workload.offersMade > 100, "seed \(seed) made offers")
    }

    /// Past 64 kinds the kind bits are not exact: the shortcuts must then decide nothing.
    @Test(arguments: [301, 302] as [UInt64])
    func shortcutsDecideAsTheReferenceWithMoreThan64Kinds(seed: UInt64) {
        print("AllocatorFastPathTests 70 kinds seed \(seed)")
        var workload = PairedAllocatorWorkload(seed: seed, policy: .dominantResourceFairness, extraKinds: 61)
        workload.run(steps: 600)
        #expect(workload.fast.kinds.count > 64, "seed \(seed) registered more than 64 kinds")
        #expect(workload.offersMade > 50, "seed \(seed) made offers")
    }
}
