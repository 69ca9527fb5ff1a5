import CorralTestSupport
import Testing

@testable import CorralMaster

/// The offer slab answers as a dictionary would, through trimming at its front and
/// restarts that move a few long-lived offers aside.
@Suite struct OfferTableTests {
    static func offer(_ client: Int) -> OutstandingOffer {
        OutstandingOffer(client: client, agent: client % 7, resources: ResourceVector(count: 2), offeredAtMillis: 0)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func answersAsADictionary(seed: UInt64) {
        print("OfferTableTests seed \(seed)")
        var generator = SeededGenerator(seed: seed)
        var table = OfferTable()
        var model: [OfferID: Int] = [:]
        var next: OfferID = 1
        for step in 0..<60_000 {
            switch Int.random(in: 0..<100, using: &generator) {
            case 0..<50:
                table[next] = Self.offer(Int(next))
                model[next] = Int(next)
                next += 1
            case 50..<95:
                // Mostly the newest offers are answered, so a few old ones stay behind for long.
                guard let id = model.keys.randomElement(using: &generator) else { break }
                let answered = id + 64 < next && Int.random(in: 0..<50, using: &generator) != 0 ? id : next - 1
                #expect(table.removeValue(forKey: answered)?.client == model.removeValue(forKey: answered), "seed \(seed)")
            default:
                // Changing an outstanding offer in place (a partial decline).
                guard let id = model.keys.randomElement(using: &generator) else { break }
                table[id]?.offeredAtMillis = UInt64(step)
                #expect(table[id]?.offeredAtMillis == UInt64(step))
            }
            if step % 5_000 == 0 || step == 59_999 {
                #expect(table.keys == model.keys.sorted(), "seed \(seed), step \(step)")
                #expect(table.count == model.count)
                for (id, client) in model { #expect(table[id]?.client == client) }
            }
        }
        #expect(table[next] == nil && table[0] == nil)
    }

    @Test func aFewLongLivedOffersDoNotKeepTheSlabGrowing() {
        var table = OfferTable()
        table[1] = Self.offer(1)
        for id in 2..<(OfferID(100_000)) {
            table[id] = Self.offer(Int(id))
            table.removeValue(forKey: id)
        }
        #expect(table.keys == [1])
        #expect(table.slabSpan < 8_192, "the slab restarted instead of growing with every offer")
        #expect(table.removeValue(forKey: 1)?.client == 1)
        #expect(table.isEmpty)
    }
}
