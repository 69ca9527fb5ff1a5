/// One agent's refuse filters, by client index.
///
/// The allocation loop asks one agent about many clients in a row, and most of them have no
/// filter there. The first eight filtered clients' indices sit inline in the agent's slot, so
/// that answer needs no memory beyond the slot; their filters are in one array in the same
/// order, and any further ones in a dictionary.
struct AgentFilters: Sendable {
    /// Client indices of the inline filters; -1 marks a free lane. Lanes at or past
    /// `inlineFilters.count` are always free.
    private var lanes = SIMD8<Int32>(repeating: -1)
    private var inlineFilters: [OfferFilter] = []
    private var more: [Int: OfferFilter] = [:]

    /// The client's filter, live or not.
    subscript(client: Int) -> OfferFilter? {
        if let lane = lane(of: client) { return inlineFilters[lane] }
        return more.isEmpty ? nil : more[client]
    }

    /// Whether the client has a live filter (for the agent slot's `generation`, not expired
    /// at `nowMillis`) that covers `offerable`; reads the filter in place.
    func blocks(
        client: Int, generation: UInt32, nowMillis: UInt64, offerable: ResourceVector, head: SIMD4<Int64>,
        nonZeroTail: [Int]
    ) -> Bool {
        if let lane = lane(of: client) {
            return inlineFilters.withUnsafeBufferPointer { filters in
                filters[lane].agentGeneration == generation && nowMillis < filters[lane].expiresAtMillis
                    && filters[lane].covers(offerable, head: head, nonZeroTail: nonZeroTail)
            }
        }
        guard !more.isEmpty, let filter = more[client] else { return false }
        return filter.agentGeneration == generation && nowMillis < filter.expiresAtMillis
            && filter.covers(offerable, head: head, nonZeroTail: nonZeroTail)
    }

    /// Sets the client's filter; a lane whose filter has expired by `nowMillis` is reused.
    mutating func set(_ filter: OfferFilter, client: Int, nowMillis: UInt64) {
        if let lane = lane(of: client) {
            inlineFilters[lane] = filter
            return
        }
        let free = (0..<8).first { lanes[$0] < 0 || nowMillis >= inlineFilters[$0].expiresAtMillis }
        guard let free, client <= Int(Int32.max) else {
            more[client] = filter
            return
        }
        more[client] = nil
        lanes[free] = Int32(client)
        if free == inlineFilters.count { inlineFilters.append(filter) } else { inlineFilters[free] = filter }
    }

    /// Drops the client's filter.
    mutating func remove(client: Int) {
        if let lane = lane(of: client) {
            lanes[lane] = -1
        } else if !more.isEmpty {
            more[client] = nil
        }
    }

    private func lane(of client: Int) -> Int? {
        guard client <= Int(Int32.max) else { return nil }
        // Lane by lane: `.==` on the whole vector compiles to a slower lane-wise mask here.
        let key = Int32(truncatingIfNeeded: client)
        for lane in 0..<8 where lanes[lane] == key { return lane }
        return nil
    }
}
