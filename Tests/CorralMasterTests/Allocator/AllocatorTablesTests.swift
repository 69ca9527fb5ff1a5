import Testing

@testable import CorralMaster

/// The allocator's flat tables: agents' quantities, offers' named quantities, agents' offer ids.
@Suite struct AllocatorTablesTests {
    static func vector(_ millis: [Int64]) -> ResourceVector {
        var vector = ResourceVector(count: millis.count)
        vector.millis = millis
        return vector
    }

    @Test func agentQuantitiesKeepEachAgentsVectorsApartAndSurviveWidening() {
        var table = AgentQuantities(kindCount: 2)
        table.reserveAgents(3)
        table.set(.total, of: 1, to: Self.vector([10, 20]))
        table.add(Self.vector([3, 5]), to: .used, of: 1)
        table.add(Self.vector([4, 4]), to: .offered, of: 1)
        table.set(.total, of: 2, to: Self.vector([1, 1]))
        var available = ResourceVector(count: 2)
        table.available(of: 1, into: &available)
        #expect(available.millis == [3, 11])
        #expect(table.vector(.total, of: 0).millis == [0, 0], "another agent's row is untouched")
        // Subtracting never goes below zero, and an agent whose used and offered pass its
        // total is reported, its available resources zero rather than negative.
        table.subtract(Self.vector([100, 1]), from: .used, of: 1)
        #expect(table.vector(.used, of: 1).millis == [0, 4])
        table.add(Self.vector([20, 0]), to: .offered, of: 1)
        #expect(!table.fitsInTotal(agent: 1) && table.fitsInTotal(agent: 2))
        table.available(of: 1, into: &available)
        #expect(available.millis == [0, 12])
        // A new kind widens every row with zeros, keeping what was there.
        table.widen(to: 3)
        #expect(table.kindCount == 3)
        #expect(table.vector(.total, of: 1).millis == [10, 20, 0])
        #expect(table.vector(.offered, of: 1).millis == [24, 4, 0])
        #expect(table.vector(.total, of: 2).millis == [1, 1, 0])
        table.add(Self.vector([0, 0, 7]), to: .total, of: 2)
        #expect(table.vector(.total, of: 2).millis == [1, 1, 7])
        table.clear(agent: 1)
        #expect(table.vector(.total, of: 1).millis == [0, 0, 0] && table.vector(.offered, of: 1).millis == [0, 0, 0])
        #expect(table.vector(.total, of: 2).millis == [1, 1, 7])
    }

    @Test func theMemoAnswersOnlyForTheVectorItRemembered() {
        var memo = QuantitiesMemo()
        let kinds = ["cpus", "mem"]
        func named(_ vector: ResourceVector) -> ResourceQuantities {
            ResourceQuantities(millis: Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1, vector.millis[$0]) }))
        }
        var offered = Self.vector([2_000, 512_000])
        let hash = QuantitiesMemo.hash(offered)
        #expect(memo.quantities(of: offered, hash: hash) == nil)
        memo.remember(named(offered), of: offered, hash: hash)
        #expect(memo.quantities(of: offered, hash: hash) == named(offered))
        // The memo keeps its own copy: the offer's vector written afterwards (a partial
        // decline) neither changes what the memo answers for the old quantities nor makes it
        // answer for the new ones.
        let before = offered
        offered.millis[0] = 1_000
        #expect(memo.quantities(of: offered, hash: QuantitiesMemo.hash(offered)) == nil)
        #expect(memo.quantities(of: before, hash: hash) == named(before))
        // Thousands of other vectors evict entries but never answer with another's names.
        for cpus in 0..<5_000 {
            let other = Self.vector([Int64(cpus), 1])
            let otherHash = QuantitiesMemo.hash(other)
            if let known = memo.quantities(of: other, hash: otherHash) { #expect(known == named(other)) }
            memo.remember(named(other), of: other, hash: otherHash)
        }
        memo.removeAll()
        #expect(memo.quantities(of: before, hash: hash) == nil)
    }

    @Test func anAgentsOfferIDsAreKeptWhateverTheOrderOfRemoval() {
        var ids = AgentOfferIDs()
        #expect(ids.sorted().isEmpty)
        for id in [5, 3, 9, 1, 7] as [OfferID] { ids.append(id) }
        #expect(ids.sorted() == [1, 3, 5, 7, 9])
        ids.remove(5)
        #expect(ids.sorted() == [1, 3, 7, 9])
        ids.remove(9)
        ids.remove(42)
        #expect(ids.sorted() == [1, 3, 7])
        ids.remove(3)
        ids.remove(1)
        #expect(ids.sorted() == [7])
        ids.append(2)
        ids.append(4)
        #expect(ids.sorted() == [2, 4, 7])
        for id in [7, 2, 4] as [OfferID] { ids.remove(id) }
        #expect(ids.sorted().isEmpty)
    }
}
