import Testing

@testable import CorralMaster

/// An agent's refuse filters: eight inline, more in a dictionary, each found by its client
/// whichever place it is in.
@Suite struct AgentFiltersTests {
    static func filter(_ cpus: Int64, until expiry: UInt64) -> OfferFilter {
        var resources = ResourceVector(count: 4)
        resources.millis[0] = cpus
        return OfferFilter(agentGeneration: 1, resources: resources, expiresAtMillis: expiry)
    }

    @Test func everyFilterIsFoundByItsClientInlineOrNot() throws {
        var filters = AgentFilters()
        for client in 0..<20 { filters.set(Self.filter(Int64(client), until: 100), client: client * 3, nowMillis: 0) }
        for client in 0..<20 {
            let found = try #require(filters[client * 3], "client \(client * 3)")
            #expect(found.head[0] == Int64(client))
            #expect(filters[client * 3 + 1] == nil)
        }
        // Replacing keeps one filter per client; removing forgets it, inline or not.
        filters.set(Self.filter(99, until: 100), client: 3, nowMillis: 0)
        filters.set(Self.filter(98, until: 100), client: 45, nowMillis: 0)
        #expect(filters[3]?.head[0] == 99 && filters[45]?.head[0] == 98)
        filters.remove(client: 3)
        filters.remove(client: 45)
        #expect(filters[3] == nil && filters[45] == nil)
        #expect(filters[0]?.head[0] == 0 && filters[57]?.head[0] == 19)
    }

    @Test func aFreedOrExpiredLaneIsReusedWithoutLosingALiveFilter() throws {
        var filters = AgentFilters()
        for client in 0..<8 { filters.set(Self.filter(1, until: client < 4 ? 10 : 1_000), client: client, nowMillis: 0) }
        filters.remove(client: 6)
        // At time 20 clients 0-3 have expired: new clients take their lanes and lane 6.
        for client in 100..<110 { filters.set(Self.filter(2, until: 1_000), client: client, nowMillis: 20) }
        for client in [4, 5, 7] + Array(100..<110) {
            #expect(filters[client] != nil, "client \(client)")
        }
        #expect(filters[6] == nil)
    }
}
