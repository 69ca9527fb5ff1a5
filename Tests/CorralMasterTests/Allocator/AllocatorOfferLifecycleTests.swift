import CorralMaster
import Testing

@Suite struct AllocatorOfferLifecycleTests {
    /// One agent and one framework, with the first offer made.
    func offered(timeout: UInt64? = nil) -> (HierarchicalAllocator, OfferDecision?) {
        var allocator = HierarchicalAllocator(configuration: AllocatorConfiguration(offerTimeoutMillis: timeout))
        allocator.addAgent("agent", total: res(cpus: 4, mem: 1024), used: [])
        allocator.addFramework("framework", roles: ["role"])
        let offers = allocator.allocate(nowMillis: 0)
        return (allocator, offers.first)
    }

    @Test func refuseFilterHoldsUntilItExpires() throws {
        var (allocator, first) = offered()
        let offer = try #require(first)
        #expect(offer.resources == res(cpus: 4, mem: 1024))
        #expect(allocator.allocate(nowMillis: 1).isEmpty, "resources are still offered")
        let declined = allocator.decline(offer: offer.offerID, refuseSeconds: 10, nowMillis: 1000)
        #expect(declined)
        #expect(allocator.allocate(nowMillis: 5000).isEmpty)
        #expect(allocator.allocate(nowMillis: 10_999).isEmpty)
        #expect(allocator.allocate(nowMillis: 11_000).map(\.resources) == [res(cpus: 4, mem: 1024)])
    }

    @Test func refuseFilterCoversOnlySubsetsOfWhatWasDeclined() throws {
        var (allocator, first) = offered()
        let offer = try #require(first)
        allocator.accept(offer: offer.offerID, launched: res(cpus: 1, mem: 256), refuseSeconds: 60, nowMillis: 0)
        #expect(allocator.allocate(nowMillis: 1).isEmpty, "the unused part is filtered")
        allocator.recover(framework: "framework", role: "role", agent: "agent", resources: res(cpus: 1, mem: 256))
        #expect(
            allocator.allocate(nowMillis: 2).map(\.resources) == [res(cpus: 4, mem: 1024)],
            "more than the filtered resources became available")
    }

    @Test func declineByFrameworkAndAgentTakesPartOfAnOffer() throws {
        var (allocator, first) = offered()
        let offer = try #require(first)
        let declined = allocator.decline(
            framework: "framework", role: "role", agent: "agent", resources: res(cpus: 1, mem: 24),
            refuseSeconds: 60, nowMillis: 0)
        #expect(declined)
        #expect(allocator.outstandingOffers.map(\.resources) == [res(cpus: 3, mem: 1000)])
        #expect(allocator.outstandingOffers.first?.offerID == offer.offerID)
        #expect(allocator.allocate(nowMillis: 1).isEmpty, "the declined part is filtered")
        allocator.decline(offer: offer.offerID, refuseSeconds: 0, nowMillis: 1)
        #expect(allocator.allocate(nowMillis: 2).map(\.resources) == [res(cpus: 4, mem: 1024)], "more than was refused")
    }

    @Test func otherFrameworksAreNotFiltered() throws {
        var (allocator, first) = offered()
        allocator.addFramework("second", roles: ["role"])
        allocator.decline(offer: try #require(first).offerID, refuseSeconds: 60, nowMillis: 0)
        #expect(allocator.allocate(nowMillis: 1).map(\.framework) == ["second"])
    }

    @Test func suppressStopsOffersAndReviveRestoresThemAndClearsFilters() throws {
        var (allocator, first) = offered()
        allocator.decline(offer: try #require(first).offerID, refuseSeconds: 1000, nowMillis: 0)
        allocator.revive(framework: "framework", role: nil)
        let again = try #require(allocator.allocate(nowMillis: 1).first)
        allocator.decline(offer: again.offerID, refuseSeconds: 0, nowMillis: 1)
        allocator.suppress(framework: "framework", role: "role")
        #expect(allocator.allocate(nowMillis: 2).isEmpty)
        #expect(allocator.allocate(nowMillis: 1_000_000).isEmpty)
        allocator.revive(framework: "framework", role: "role")
        #expect(allocator.allocate(nowMillis: 1_000_001).count == 1)
    }

    @Test func offersOutstandingPastTheTimeoutAreRescinded() throws {
        var (allocator, first) = offered(timeout: 30_000)
        let offer = try #require(first)
        #expect(allocator.expireOffers(nowMillis: 29_999).isEmpty)
        #expect(allocator.expireOffers(nowMillis: 30_000) == [offer])
        #expect(allocator.outstandingOffers.isEmpty)
        #expect(allocator.allocation(ofAgent: "agent")?.offered == ResourceQuantities())
        let declinedLate = allocator.decline(offer: offer.offerID, refuseSeconds: 5, nowMillis: 30_001)
        #expect(!declinedLate, "already rescinded")
        #expect(allocator.allocate(nowMillis: 30_001).map(\.resources) == [res(cpus: 4, mem: 1024)])
    }

    @Test func recoverReturnsResourcesOfEndedTasks() throws {
        var (allocator, first) = offered()
        let offer = try #require(first)
        allocator.accept(offer: offer.offerID, launched: res(cpus: 4, mem: 1024), refuseSeconds: 0, nowMillis: 0)
        #expect(allocator.allocation(ofAgent: "agent")?.used == res(cpus: 4, mem: 1024))
        #expect(allocator.allocate(nowMillis: 1).isEmpty)
        allocator.recover(framework: "framework", role: "role", agent: "agent", resources: res(cpus: 3, mem: 1000))
        #expect(allocator.allocate(nowMillis: 2).map(\.resources) == [res(cpus: 3, mem: 1000)])
        let recoveredUnknown = allocator.recover(framework: "nobody", role: "role", agent: "agent", resources: res(cpus: 1))
        #expect(!recoveredUnknown)
    }

    @Test func addAgentWithUsedResourcesNeverOverCommits() {
        var allocator = HierarchicalAllocator()
        allocator.addFramework("new", roles: ["role"])
        allocator.addAgent(
            "agent", total: res(cpus: 4, mem: 1024),
            used: [UsedResources(framework: "old", role: "role", resources: res(cpus: 3, mem: 1024))])
        #expect(allocator.allocate(nowMillis: 0).map(\.resources) == [res(cpus: 1)])
        allocator.addAgent(
            "full", total: res(cpus: 1),
            used: [UsedResources(framework: "old", role: "role", resources: res(cpus: 2))])
        #expect(allocator.allocate(nowMillis: 1).isEmpty, "an over-used agent offers nothing")
        #expect(allocator.consumption(ofRole: "role")["cpus"] == 6000)
    }

    @Test func removingAnAgentOrShrinkingItRescindsItsOffers() throws {
        var (allocator, first) = offered()
        let offer = try #require(first)
        #expect(allocator.updateAgent("agent", total: res(cpus: 8, mem: 2048)).isEmpty, "growing keeps offers")
        #expect(allocator.allocate(nowMillis: 1).map(\.resources) == [res(cpus: 4, mem: 1024)])
        let rescinded = allocator.updateAgent("agent", total: res(cpus: 2, mem: 2048))
        #expect(rescinded.count == 2 && rescinded.first == offer)
        _ = allocator.allocate(nowMillis: 2)
        #expect(allocator.removeAgent("agent").count == 1)
        #expect(allocator.outstandingOffers.isEmpty)
    }

    @Test func removingAFrameworkFreesItsOffersAndTasks() throws {
        var (allocator, first) = offered()
        let offer = try #require(first)
        allocator.accept(offer: offer.offerID, launched: res(cpus: 1), refuseSeconds: 0, nowMillis: 0)
        _ = allocator.allocate(nowMillis: 1)
        let removed = allocator.removeFramework("framework")
        #expect(removed)
        #expect(allocator.outstandingOffers.isEmpty)
        #expect(allocator.allocation(ofAgent: "agent")?.used == ResourceQuantities())
        #expect(allocator.consumption(ofRole: "role") == ResourceQuantities())
    }
}
