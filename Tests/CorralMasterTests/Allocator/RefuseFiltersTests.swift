import Testing

@testable import CorralMaster

/// Agents' refuse filters: eight a agent in lanes, more in a dictionary, each found by its
/// agent and client whichever place it is in, and never one agent's for another's.
@Suite struct RefuseFiltersTests {
    static func filter(_ cpus: Int64, until expiry: UInt64) -> OfferFilter {
        var resources = ResourceVector(count: 4)
        resources.millis[0] = cpus
        return OfferFilter.make(agentGeneration: 1, resources: resources, expiresAtMillis: expiry).filter
    }

    static func vector(_ millis: [Int64]) -> ResourceVector {
        var vector = ResourceVector(count: millis.count)
        vector.millis = millis
        return vector
    }

    /// Whether the agent's filter for the client blocks an offer of `millis`.
    static func blocks(_ filters: RefuseFilters, agent: Int, client: Int, _ millis: [Int64], now: UInt64 = 0) -> Bool {
        let offerable = Self.vector(millis)
        let tail = (4..<millis.count).filter { millis[$0] > 0 }
        return filters.withAgent(agent) { view in
            view.blocks(
                client: client, generation: 1, nowMillis: now, offerable: offerable, head: offerable.head, nonZeroTail: tail)
        }
    }

    @Test func aFilterRecordIsOneCacheLine() {
        // The cycle reads one record per filtered client it passes: a second line would be a
        // second miss.
        #expect(MemoryLayout<OfferFilter>.stride == 64)
    }

    @Test func everyFilterIsFoundByItsAgentAndClientInALaneOrNot() throws {
        var filters = RefuseFilters()
        filters.reserveAgents(3)
        for client in 0..<20 {
            filters.set(Self.filter(Int64(client), until: 100), overflow: nil, agent: 1, client: client * 3, nowMillis: 0)
        }
        for client in 0..<20 {
            let found = try #require(filters.filter(agent: 1, client: client * 3), "client \(client * 3)")
            #expect(found.head[0] == Int64(client))
            #expect(filters.filter(agent: 1, client: client * 3 + 1) == nil)
            #expect(filters.filter(agent: 0, client: client * 3) == nil && filters.filter(agent: 2, client: client * 3) == nil)
            #expect(Self.blocks(filters, agent: 1, client: client * 3, [Int64(client), 0, 0, 0]))
            #expect(!Self.blocks(filters, agent: 1, client: client * 3, [Int64(client) + 1, 0, 0, 0]))
            #expect(!Self.blocks(filters, agent: 2, client: client * 3, [0, 0, 0, 0]))
        }
        // Replacing keeps one filter per client; removing forgets it, in a lane or not.
        filters.set(Self.filter(99, until: 100), overflow: nil, agent: 1, client: 3, nowMillis: 0)
        filters.set(Self.filter(98, until: 100), overflow: nil, agent: 1, client: 45, nowMillis: 0)
        #expect(filters.filter(agent: 1, client: 3)?.head[0] == 99 && filters.filter(agent: 1, client: 45)?.head[0] == 98)
        filters.remove(agent: 1, client: 3)
        filters.remove(agent: 1, client: 45)
        #expect(filters.filter(agent: 1, client: 3) == nil && filters.filter(agent: 1, client: 45) == nil)
        #expect(filters.filter(agent: 1, client: 0)?.head[0] == 0 && filters.filter(agent: 1, client: 57)?.head[0] == 19)
        filters.removeAll(agent: 1)
        for client in 0..<20 { #expect(filters.filter(agent: 1, client: client * 3) == nil) }
    }

    @Test func aFreedOrExpiredLaneIsReusedWithoutLosingALiveFilter() throws {
        var filters = RefuseFilters()
        for client in 0..<8 {
            filters.set(Self.filter(1, until: client < 4 ? 10 : 1_000), overflow: nil, agent: 0, client: client, nowMillis: 0)
        }
        filters.remove(agent: 0, client: 6)
        // At time 20 clients 0-3 have expired: new clients take their lanes and lane 6.
        for client in 100..<110 {
            filters.set(Self.filter(2, until: 1_000), overflow: nil, agent: 0, client: client, nowMillis: 20)
        }
        for client in [4, 5, 7] + Array(100..<110) {
            #expect(filters.filter(agent: 0, client: client) != nil, "client \(client)")
            #expect(Self.blocks(filters, agent: 0, client: client, [1, 0, 0, 0], now: 20), "client \(client)")
        }
        #expect(filters.filter(agent: 0, client: 6) == nil)
        #expect(!Self.blocks(filters, agent: 0, client: 0, [1, 0, 0, 0], now: 20))
    }

    @Test func aFilterOfManyReservedKindsKeepsThemAllInItsOverflow() throws {
        // Kinds 4, 6 and 9 held: more than the two inline pairs.
        var millis = [Int64](repeating: 0, count: 10)
        millis[0] = 1_000
        millis[4] = 500
        millis[6] = 700
        millis[9] = 300
        let (filter, overflow) = OfferFilter.make(
            agentGeneration: 1, resources: Self.vector(millis), expiresAtMillis: 1_000)
        #expect(filter.hasOverflow && overflow != nil)
        var filters = RefuseFilters()
        filters.set(filter, overflow: overflow, agent: 0, client: 7, nowMillis: 0)
        #expect(Self.blocks(filters, agent: 0, client: 7, millis))
        var more = millis
        more[9] = 301
        #expect(!Self.blocks(filters, agent: 0, client: 7, more))
        // Two kinds fit inline, and a kind the filter does not hold is not covered.
        millis[9] = 0
        let (inline, none) = OfferFilter.make(agentGeneration: 1, resources: Self.vector(millis), expiresAtMillis: 1_000)
        #expect(!inline.hasOverflow && none == nil)
        filters.set(inline, overflow: nil, agent: 0, client: 7, nowMillis: 0)
        #expect(Self.blocks(filters, agent: 0, client: 7, millis))
        more = millis
        more[9] = 1
        #expect(!Self.blocks(filters, agent: 0, client: 7, more))
        // An expired lane taken by another client drops the old filter's overflow with it.
        filters.set(filter, overflow: overflow, agent: 0, client: 7, nowMillis: 0)
        for client in 20..<28 { filters.set(Self.filter(1, until: 5_000), overflow: nil, agent: 0, client: client, nowMillis: 2_000) }
        #expect(filters.filter(agent: 0, client: 7) == nil)
    }
}
