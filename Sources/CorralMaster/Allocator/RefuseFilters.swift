import CPrefetch

/// A refuse filter: the client is not offered this agent's resources while what would be
/// offered fits inside the filtered resources and the filter has not expired.
///
/// One 64-byte record with no reference in it, so that records sit in a flat table and a
/// check reads nothing else. The first four kinds are in `head`; of the kinds past the
/// fourth (reserved and revocable ones), a filter usually holds one or two, kept inline as
/// (index, quantity) pairs; a filter with more, or with a kind index past `Int16.max`,
/// marks `extraKinds[0]` with `overflowMarker` and keeps the kinds from the fifth on in
/// `RefuseFilters`' overflow table.
struct OfferFilter: Sendable, Equatable {
    // In this order the fields pack into 64 bytes with no padding.
    var head: SIMD4<Int64>
    var extraMillis: SIMD2<Int64>
    var expiresAtMillis: UInt64
    var agentGeneration: UInt32
    /// Kind indices of the inline quantities; -1 marks an unused pair.
    var extraKinds: SIMD2<Int16>

    static let overflowMarker: Int16 = -2

    /// The filter of `resources`, and the kinds from the fifth on when they do not fit inline.
    static func make(
        agentGeneration: UInt32, resources: ResourceVector, expiresAtMillis: UInt64
    ) -> (filter: OfferFilter, overflow: [Int64]?) {
        var filter = OfferFilter(
            head: resources.head, extraMillis: SIMD2(repeating: 0), expiresAtMillis: expiresAtMillis,
            agentGeneration: agentGeneration, extraKinds: SIMD2(repeating: -1))
        var pair = 0
        for index in 4..<max(4, resources.millis.count) where resources.millis[index] > 0 {
            guard pair < 2, index <= Int(Int16.max) else {
                filter.extraKinds = SIMD2(Self.overflowMarker, -1)
                filter.extraMillis = SIMD2(repeating: 0)
                return (filter, Array(resources.millis.dropFirst(4)))
            }
            filter.extraKinds[pair] = Int16(index)
            filter.extraMillis[pair] = resources.millis[index]
            pair += 1
        }
        return (filter, nil)
    }

    var hasOverflow: Bool { extraKinds[0] == Self.overflowMarker }

    /// The filtered quantity of kind `index` (the fifth or a later one); kinds registered
    /// after the filter count as zero.
    private func filtered(_ index: Int, overflow: [Int64]?) -> Int64 {
        if let overflow { return index - 4 < overflow.count ? overflow[index - 4] : 0 }
        if index == Int(extraKinds[0]) { return extraMillis[0] }
        if index == Int(extraKinds[1]) { return extraMillis[1] }
        return 0
    }

    /// Whether `offerable` (whose `head` is `offerableHead`) fits inside the filtered resources.
    /// `nonZeroTail`, when given, lists the kinds past the fourth that `offerable` holds any
    /// of: only those are compared (a cycle works them out once per agent and role, since
    /// most reserved and revocable kinds are masked to zero for most roles). `overflow` is
    /// the filter's overflow when `hasOverflow`.
    func covers(
        _ offerable: ResourceVector, head offerableHead: SIMD4<Int64>, nonZeroTail: [Int]? = nil,
        overflow: [Int64]? = nil
    ) -> Bool {
        if any(offerableHead .> head) { return false }
        if let nonZeroTail {
            for index in nonZeroTail where offerable.millis[index] > filtered(index, overflow: overflow) { return false }
            return true
        }
        var index = 4
        while index < offerable.millis.count {
            if offerable.millis[index] > filtered(index, overflow: overflow) { return false }
            index += 1
        }
        return true
    }
}

/// Every agent's refuse filters, by agent slot and client index.
///
/// The allocation loop asks one agent about many clients in a row, and most of them have no
/// filter there. Sixteen filtered clients an agent have a lane: their indices sit together in
/// `lanes[agent]` and their records in `records`, sixteen to an agent, in agent slot order. A
/// cycle visits agents in that order, so it reads both tables as streams the processor fetches
/// ahead (and is asked to: `prefetch`), where a table allocated per agent cost a cache miss
/// each. Filters past an agent's sixteenth live in a dictionary, and so do the rare filters'
/// overflows.
struct RefuseFilters: Sendable {
    typealias Lanes = SIMD16<Int32>
    static let lanesPerAgent = Lanes.scalarCount
    /// By agent slot: the client index of each lane; -1 marks a free lane.
    private var lanes: [Lanes] = []
    /// By agent slot times `lanesPerAgent` plus lane; meaningful only under a taken lane.
    private var records: [OfferFilter] = []
    /// By agent slot: how many of its filters are in `spilled`.
    private var spilledCount: [Int32] = []
    /// Filters without a lane, by `key(agent:client:)`.
    private var spilled: [Int: OfferFilter] = [:]
    /// The kinds from the fifth on of filters with `hasOverflow`, by `key(agent:client:)`.
    private var overflows: [Int: [Int64]] = [:]

    private static let freeLanes = Lanes(repeating: -1)
    private static let emptyRecord = OfferFilter(
        head: .zero, extraMillis: .zero, expiresAtMillis: 0, agentGeneration: 0, extraKinds: SIMD2(repeating: -1))

    private static func key(agent: Int, client: Int) -> Int { agent << 32 | client }

    /// Makes room for agent slots up to `count`.
    mutating func reserveAgents(_ count: Int) {
        while lanes.count < count {
            lanes.append(Self.freeLanes)
            spilledCount.append(0)
            records.append(contentsOf: repeatElement(Self.emptyRecord, count: Self.lanesPerAgent))
        }
    }

    /// The client's filter on the agent, live or not.
    func filter(agent: Int, client: Int) -> OfferFilter? {
        guard agent < lanes.count else { return nil }
        if let lane = Self.lane(of: client, in: lanes[agent]) { return records[agent * Self.lanesPerAgent + lane] }
        return spilledCount[agent] == 0 ? nil : spilled[Self.key(agent: agent, client: client)]
    }

    /// Sets the client's filter on the agent; a lane whose filter has expired by `nowMillis`
    /// is reused.
    mutating func set(
        _ filter: OfferFilter, overflow: [Int64]?, agent: Int, client: Int, nowMillis: UInt64
    ) {
        reserveAgents(agent + 1)
        let key = Self.key(agent: agent, client: client)
        let base = agent * Self.lanesPerAgent
        if overflow != nil || !overflows.isEmpty { overflows[key] = overflow }
        if let lane = Self.lane(of: client, in: lanes[agent]) {
            records[base + lane] = filter
            return
        }
        let free = (0..<Self.lanesPerAgent).first { lane in
            lanes[agent][lane] < 0 || nowMillis >= records[base + lane].expiresAtMillis
        }
        guard let free, client <= Int(Int32.max) else {
            if spilled.updateValue(filter, forKey: key) == nil { spilledCount[agent] += 1 }
            return
        }
        if spilledCount[agent] > 0, spilled.removeValue(forKey: key) != nil { spilledCount[agent] -= 1 }
        let previous = Int(lanes[agent][free])
        if previous >= 0 && records[base + free].hasOverflow {
            overflows[Self.key(agent: agent, client: previous)] = nil
        }
        lanes[agent][free] = Int32(client)
        records[base + free] = filter
    }

    /// Drops the client's filter on the agent.
    mutating func remove(agent: Int, client: Int) {
        guard agent < lanes.count else { return }
        let key = Self.key(agent: agent, client: client)
        if !overflows.isEmpty { overflows[key] = nil }
        if let lane = Self.lane(of: client, in: lanes[agent]) {
            lanes[agent][lane] = -1
        } else if spilledCount[agent] > 0, spilled.removeValue(forKey: key) != nil {
            spilledCount[agent] -= 1
        }
    }

    /// Drops every filter on the agent (its slot is freed).
    mutating func removeAll(agent: Int) {
        guard agent < lanes.count else { return }
        lanes[agent] = Self.freeLanes
        if spilledCount[agent] > 0 {
            spilled = spilled.filter { $0.key >> 32 != agent }
            spilledCount[agent] = 0
        }
        if !overflows.isEmpty { overflows = overflows.filter { $0.key >> 32 != agent } }
    }

    /// Starts loading the agent's lanes and its first `records` lanes' filters into the cache,
    /// ahead of a scan of the agent.
    func prefetch(agent: Int, records count: Int) {
        guard agent < lanes.count else { return }
        lanes.withUnsafeBufferPointer { corral_prefetch($0.baseAddress! + agent) }
        records.withUnsafeBufferPointer { records in
            let base = records.baseAddress! + agent * Self.lanesPerAgent
            for lane in 0..<min(count, Self.lanesPerAgent) { corral_prefetch(base + lane) }
        }
    }

    /// Runs `body` with the agent's filters, read in place: a scan asks it about many
    /// clients in a row.
    func withAgent<Result>(_ agent: Int, _ body: (AgentView) -> Result) -> Result {
        guard agent < lanes.count else {
            return body(
                AgentView(
                    agent: agent, lanes: Self.freeLanes, records: UnsafeBufferPointer(start: nil, count: 0), spilled: nil,
                    overflows: nil))
        }
        let agentLanes = lanes[agent]
        let spilledHere = spilledCount[agent] > 0 ? spilled : nil
        let overflowsHere = overflows.isEmpty ? nil : overflows
        return records.withUnsafeBufferPointer { all in
            let base = agent * Self.lanesPerAgent
            let mine = UnsafeBufferPointer(rebasing: all[base..<base + Self.lanesPerAgent])
            return body(AgentView(agent: agent, lanes: agentLanes, records: mine, spilled: spilledHere, overflows: overflowsHere))
        }
    }

    /// One agent's filters, for the length of a `withAgent` call.
    struct AgentView {
        let agent: Int
        let lanes: Lanes
        let records: UnsafeBufferPointer<OfferFilter>
        let spilled: [Int: OfferFilter]?
        let overflows: [Int: [Int64]]?

        /// Whether the client has a live filter (for the agent slot's `generation`, not
        /// expired at `nowMillis`) that covers `offerable`.
        func blocks(
            client: Int, generation: UInt32, nowMillis: UInt64, offerable: ResourceVector, head: SIMD4<Int64>,
            nonZeroTail: [Int]
        ) -> Bool {
            let filter: OfferFilter
            if let lane = RefuseFilters.lane(of: client, in: lanes) {
                filter = records[lane]
            } else if let spilled, let found = spilled[RefuseFilters.key(agent: agent, client: client)] {
                filter = found
            } else {
                return false
            }
            guard filter.agentGeneration == generation && nowMillis < filter.expiresAtMillis else { return false }
            let overflow = filter.hasOverflow ? overflows?[RefuseFilters.key(agent: agent, client: client)] : nil
            return filter.covers(offerable, head: head, nonZeroTail: nonZeroTail, overflow: overflow)
        }
    }

    private static func lane(of client: Int, in lanes: Lanes) -> Int? {
        guard client <= Int(Int32.max) else { return nil }
        // Lane by lane: `.==` on the whole vector compiles to a slower lane-wise mask here.
        let key = Int32(truncatingIfNeeded: client)
        for lane in 0..<lanesPerAgent where lanes[lane] == key { return lane }
        return nil
    }
}
