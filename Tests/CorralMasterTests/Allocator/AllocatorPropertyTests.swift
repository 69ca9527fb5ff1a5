@testable import CorralMaster
import Testing
import CorralTestSupport

/// Drives an allocator with random events from a seed, checking invariants after each one.
struct RandomAllocatorWorkload {
    static let agentIDs = (0..<8).map { "agent\($0)" }
    static let frameworkIDs = (0..<5).map { "framework\($0)" }
    static let roleNames = ["a", "b", "a/x", "a/y", "c"]

    var allocator: any Allocator
    var generator: SeededGenerator
    var nowMillis: UInt64 = 0
    var log: [String] = []
    var limits: [String: ResourceQuantities] = [:]
    /// A model of what must not be offered: suppressed (framework, role) pairs and refuse
    /// filters by "framework/role@agent".
    var suppressed: Set<String> = []
    var filters: [String: (resources: ResourceQuantities, expiresAtMillis: UInt64)] = [:]

    init(seed: UInt64, policy: AllocationPolicy) {
        allocator = makeAllocator(AllocatorConfiguration(policy: policy, offerTimeoutMillis: 5_000))
        generator = SeededGenerator(seed: seed)
    }

    mutating func randomResources(maxCPUs: Int = 8) -> ResourceQuantities {
        res(cpus: Double(Int.random(in: 0...maxCPUs * 2, using: &generator)) / 2,
            mem: Double(Int.random(in: 0...4096, using: &generator)),
            disk: Double(Int.random(in: 0...2, using: &generator)) * 100)
    }

    mutating func pick<T>(_ values: [T]) -> T? { values.randomElement(using: &generator) }

    /// Runs `steps` random events; returns the log of every decision made.
    mutating func run(steps: Int) -> [String] {
        for _ in 0..<steps { step() ; checkInvariants() }
        return log
    }

    mutating func step() {
        let agent = pick(Self.agentIDs) ?? "agent0"
        let framework = pick(Self.frameworkIDs) ?? "framework0"
        let role = pick(Self.roleNames) ?? "a"
        switch Int.random(in: 0..<100, using: &generator) {
        case 0..<10:
            let used = Bool.random(using: &generator)
                ? [UsedResources(framework: framework, role: role, resources: randomResources(maxCPUs: 4))] : []
            allocator.addAgent(agent, total: randomResources(), used: used)
            forgetFilters { $0.hasSuffix("@\(agent)") }
        case 10..<13:
            log += allocator.removeAgent(agent).map { "removed \($0)" }
            forgetFilters { $0.hasSuffix("@\(agent)") }
        case 13..<16: log += allocator.updateAgent(agent, total: randomResources()).map { "shrunk \($0)" }
        case 16..<24:
            let roles = Self.roleNames.filter { _ in Int.random(in: 0..<3, using: &generator) == 0 }
            allocator.addFramework(framework, roles: roles.isEmpty ? [role] : roles)
        case 24..<26:
            allocator.removeFramework(framework)
            forgetFilters { $0.hasPrefix("\(framework)/") }
            suppressed = suppressed.filter { !$0.hasPrefix("\(framework)/") }
        case 26..<46:
            let before = Dictionary(uniqueKeysWithValues: limits.keys.map { ($0, allocator.consumption(ofRole: $0)) })
            let offers = allocator.allocate(nowMillis: nowMillis)
            log += offers.map { "offered \($0)" }
            checkOffers(offers, limitsBefore: before)
        case 46..<58:
            if let offer = pick(allocator.outstandingOffers) {
                let launched = randomResources(maxCPUs: 4)
                allocator.accept(offer: offer.offerID, launched: launched, refuseSeconds: 1, nowMillis: nowMillis)
                remember(offer, refused: offer.resources - launched, refuseSeconds: 1)
            }
        case 58..<70:
            if let offer = pick(allocator.outstandingOffers) {
                let refuse: Double = pick([0.0, 1, 10, 1000] as [Double]) ?? 0
                if Bool.random(using: &generator) {
                    allocator.decline(offer: offer.offerID, refuseSeconds: refuse, nowMillis: nowMillis)
                    remember(offer, refused: offer.resources, refuseSeconds: refuse)
                } else {
                    // Decline part of what the framework holds on the agent in that role.
                    let held = allocator.outstandingOffers
                        .filter { $0.framework == offer.framework && $0.role == offer.role && $0.agent == offer.agent }
                        .map(\.resources).reduce(ResourceQuantities(), +)
                    let asked = randomResources(maxCPUs: 4)
                    allocator.decline(
                        framework: offer.framework, role: offer.role, agent: offer.agent, resources: asked,
                        refuseSeconds: refuse, nowMillis: nowMillis)
                    remember(offer, refused: held - (held - asked), refuseSeconds: refuse)
                }
            }
        case 70..<78: allocator.recover(framework: framework, role: role, agent: agent, resources: randomResources(maxCPUs: 4))
        case 78..<81:
            log += allocator.taskLaunched(framework: framework, role: role, agent: agent, resources: randomResources(maxCPUs: 2))
                .map { "rescinded for a task \($0)" }
        case 81..<85:
            // Suppressing every role is not modelled; it only ever removes offers.
            if Bool.random(using: &generator) {
                if allocator.suppress(framework: framework, role: role) { suppressed.insert("\(framework)/\(role)") }
            } else {
                allocator.suppress(framework: framework, role: nil)
            }
        case 85..<89:
            if Bool.random(using: &generator) {
                allocator.revive(framework: framework, role: role)
                suppressed.remove("\(framework)/\(role)")
                forgetFilters { $0.hasPrefix("\(framework)/\(role)@") }
            } else {
                allocator.revive(framework: framework, role: nil)
                suppressed = suppressed.filter { !$0.hasPrefix("\(framework)/") }
                forgetFilters { $0.hasPrefix("\(framework)/") }
            }
        case 89..<93:
            let limit = randomResources()
            limits[role] = limit
            allocator.setQuota(role: role, guarantee: randomResources(maxCPUs: 3), limit: limit)
        case 93..<95: allocator.setWeight(Double(Int.random(in: 1...4, using: &generator)), role: role)
        default: log += allocator.expireOffers(nowMillis: nowMillis).map { "rescinded \($0)" }
        }
        nowMillis += UInt64.random(in: 0...1_500, using: &generator)
    }

    /// Records the refuse filter a decline or an accept installs, as the allocator should.
    mutating func remember(_ offer: OfferDecision, refused: ResourceQuantities, refuseSeconds: Double) {
        guard refuseSeconds > 0, !refused.isEmpty else { return }
        filters["\(offer.framework)/\(offer.role)@\(offer.agent)"] =
            (refused, nowMillis + UInt64((refuseSeconds * 1000).rounded(.up)))
    }

    mutating func forgetFilters(where matches: (String) -> Bool) {
        filters = filters.filter { !matches($0.key) }
    }

    /// New offers respect suppression, refuse filters and quota limits, and no framework gets
    /// two offers for one agent in one cycle.
    func checkOffers(_ offers: [OfferDecision], limitsBefore: [String: ResourceQuantities]) {
        let pairs = offers.map { "\($0.framework)/\($0.role)@\($0.agent)" }
        #expect(Set(pairs).count == pairs.count, "one offer per framework, role and agent per cycle")
        for (pair, offer) in zip(pairs, offers) {
            #expect(!suppressed.contains("\(offer.framework)/\(offer.role)"), "offer to a suppressed \(pair)")
            if let filter = filters[pair], nowMillis < filter.expiresAtMillis {
                #expect(!filter.resources.contains(offer.resources), "\(offer) ignores a refuse filter")
            }
        }
        for (role, limit) in limits {
            let after = allocator.consumption(ofRole: role)
            for entry in limit.entries {
                let ceiling = max(entry.millis, limitsBefore[role]?[entry.name] ?? 0)
                #expect(after[entry.name] <= ceiling, "\(role) went past its limit of \(entry.name)")
            }
        }
    }

    /// No agent is over-committed and no resource is in two outstanding offers at once.
    func checkInvariants() {
        // The cycle takes what no one holds from the top-level roles' consumption: that must
        // add up to what the live agents use and have offered.
        if let hierarchical = allocator as? HierarchicalAllocator {
            var heldOnAgents = ResourceVector(count: hierarchical.kinds.count)
            for agent in hierarchical.agents.indices where hierarchical.agents[agent].live {
                heldOnAgents.add(hierarchical.agentQuantities.vector(.used, of: agent))
                heldOnAgents.add(hierarchical.agentQuantities.vector(.offered, of: agent))
            }
            var heldByRoles = ResourceVector(count: hierarchical.kinds.count)
            for role in hierarchical.roles where role.parent == nil { heldByRoles.add(role.subtreeConsumed) }
            #expect(heldByRoles == heldOnAgents, "the roles' consumption adds up to what the agents hold")
        } else {
            Issue.record("the workload runs a HierarchicalAllocator")
        }
        let offers = allocator.outstandingOffers
        #expect(Set(offers.map(\.offerID)).count == offers.count)
        for agent in Self.agentIDs {
            let onAgent = offers.filter { $0.agent == agent }
            guard let allocation = allocator.allocation(ofAgent: agent) else {
                #expect(onAgent.isEmpty, "offers on a removed agent")
                continue
            }
            let offered = onAgent.map(\.resources).reduce(ResourceQuantities(), +)
            #expect(offered == allocation.offered, "outstanding offers add up to what \(agent) has offered")
            // Replayed tasks may already use more than the total of some resource; a resource
            // that is offered at all must fit next to what is used.
            for entry in offered.entries {
                #expect(
                    allocation.used[entry.name] + entry.millis <= allocation.total[entry.name],
                    "\(agent) over-committed \(entry.name): \(allocation)")
            }
        }
    }
}

@Suite struct AllocatorPropertyTests {
    @Test(arguments: [1, 2, 3, 42, 1234, 98765] as [UInt64])
    func randomEventsNeverOverCommitAnAgent(seed: UInt64) {
        var workload = RandomAllocatorWorkload(seed: seed, policy: .dominantResourceFairness)
        let log = workload.run(steps: 1500)
        #expect(log.count > 50, "seed \(seed) exercised the allocator")
    }

    @Test(arguments: [7, 8] as [UInt64])
    func randomEventsNeverOverCommitUnderStrictPriority(seed: UInt64) {
        var workload = RandomAllocatorWorkload(seed: seed, policy: .strictPriority(["a": 2, "c": 5]))
        _ = workload.run(steps: 1500)
    }

    @Test(arguments: [5, 6] as [UInt64])
    func sameEventsGiveTheSameDecisions(seed: UInt64) {
        var first = RandomAllocatorWorkload(seed: seed, policy: .dominantResourceFairness)
        var second = RandomAllocatorWorkload(seed: seed, policy: .dominantResourceFairness)
        let firstLog = first.run(steps: 800)
        #expect(!firstLog.isEmpty)
        #expect(firstLog == second.run(steps: 800))
    }
}
