/// The outstanding offers by id: a slab instead of a hash table.
///
/// Offer ids are handed out in increasing order, so the offers made since the oldest one
/// still in the slab sit in one array at `id - base`: making, finding and answering an offer
/// is an index, with no hashing and no per-offer allocation of a table entry. Answered
/// offers at the front are trimmed as they go. So that one offer nobody answers cannot
/// keep the slab growing with every later offer, a slab that is mostly holes moves its few
/// live offers to a small dictionary (`old`) and starts again empty; an id below `base`
/// is looked up there.
struct OfferTable: Sendable {
    /// `slab[index]` is the offer with id `base + index`, nil once it is answered.
    private var slab: [OutstandingOffer?] = []
    /// Slab entries before `head` are all nil (trimmed lazily).
    private var head = 0
    private var base: OfferID = 1
    /// Live offers whose ids are below `base`.
    private var old: [OfferID: OutstandingOffer] = [:]
    private var liveInSlab = 0

    /// How many offers are outstanding.
    var count: Int { liveInSlab + old.count }

    var isEmpty: Bool { count == 0 }

    /// How many ids the slab spans, answered ones included (for tests of its growth).
    var slabSpan: Int { slab.count - head }

    /// The ids of every outstanding offer, in increasing order.
    var keys: [OfferID] {
        var ids = old.keys.sorted()
        ids.reserveCapacity(count)
        for index in head..<slab.count where slab[index] != nil { ids.append(base + OfferID(index)) }
        return ids
    }

    /// Room for `more` offers beyond those in the slab, so a cycle's offers do not regrow it.
    mutating func reserveCapacity(adding more: Int) {
        slab.reserveCapacity(slab.count + more)
    }

    /// The offer with `id`; setting nil removes it. A new id must not be below every id
    /// set before (ids come from one increasing counter).
    subscript(id: OfferID) -> OutstandingOffer? {
        get {
            if id < base { return old.isEmpty ? nil : old[id] }
            let index = Int(id - base)
            return index < slab.count ? slab[index] : nil
        }
        set {
            if let newValue { insert(newValue, id: id) } else { _ = removeValue(forKey: id) }
        }
    }

    /// Removes the offer with `id` and returns it, if it was outstanding.
    @discardableResult
    mutating func removeValue(forKey id: OfferID) -> OutstandingOffer? {
        if id < base { return old.removeValue(forKey: id) }
        let index = Int(id - base)
        guard index < slab.count, let offer = slab[index] else { return nil }
        slab[index] = nil
        liveInSlab -= 1
        trim()
        return offer
    }

    private mutating func insert(_ offer: OutstandingOffer, id: OfferID) {
        guard id >= base else {
            old[id] = offer
            return
        }
        let index = Int(id - base)
        if index < slab.count {
            if slab[index] == nil { liveInSlab += 1 }
            slab[index] = offer
            return
        }
        if index > slab.count { slab.append(contentsOf: repeatElement(nil, count: index - slab.count)) }
        slab.append(offer)
        liveInSlab += 1
    }

    /// Drops answered offers from the front, and restarts a slab that is mostly holes.
    private mutating func trim() {
        while head < slab.count && slab[head] == nil { head += 1 }
        if head == slab.count {
            base += OfferID(slab.count)
            slab.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= slab.count {
            slab.removeFirst(head)
            base += OfferID(head)
            head = 0
        } else if slab.count - head >= 4096 && liveInSlab * 8 < slab.count - head {
            // A few old offers hold the slab open: move them aside (amortised over the
            // thousands of answered offers since the slab started).
            for index in head..<slab.count { if let offer = slab[index] { old[base + OfferID(index)] = offer } }
            base += OfferID(slab.count)
            slab.removeAll(keepingCapacity: true)
            head = 0
            liveInSlab = 0
        }
    }
}
