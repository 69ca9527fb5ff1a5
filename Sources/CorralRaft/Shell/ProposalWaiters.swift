/// The proposals a node appended to its log and whose answer is not known yet, by id and by
/// the index they were appended at.
///
/// A proposal is answered from the log, never guessed: the entry applied at its index in its
/// term means applied, another term there means not applied. After the node loses office a
/// proposal waits `outcomeWaitTicks` for its log to tell, then its outcome is unknown.
struct ProposalWaiters: Sendable {
    struct Waiter: Sendable {
        var index: UInt64
        var term: UInt64
    }

    private(set) var byID: [UInt64: Waiter] = [:]
    /// Ids by the index their entry was appended at; more than one when a deposed leader's
    /// entry was replaced there and it led again.
    private var atIndex: [UInt64: [UInt64]] = [:]
    /// Waiters of a deposed leader, and the tick after which their outcome is unknown.
    private var orphans: [UInt64: UInt64] = [:]

    var count: Int { byID.count }

    /// Whether a proposal waits for the entry at `index`.
    func isWaiting(at index: UInt64) -> Bool { atIndex[index] != nil }

    mutating func accepted(id: UInt64, index: UInt64, term: UInt64) {
        if let old = byID[id] { unfile(id, at: old.index) }
        byID[id] = Waiter(index: index, term: term)
        atIndex[index, default: []].append(id)
    }

    /// The node lost office: every waiter not yet orphaned gets its deadline.
    mutating func lostOffice(deadline: UInt64) {
        for id in byID.keys where orphans[id] == nil { orphans[id] = deadline }
    }

    /// Orphans whose deadline passed, unless their entry is committed in their term (then
    /// it is applied here shortly).
    mutating func expire(now: UInt64, waited: UInt64, isCommitted: (UInt64, UInt64) -> Bool) -> [ProposalOutcome] {
        guard !orphans.isEmpty else { return [] }
        var expired: [UInt64] = []
        for (id, deadline) in orphans where deadline <= now {
            guard let waiter = byID[id] else {
                orphans[id] = nil
                continue
            }
            if !isCommitted(waiter.index, waiter.term) { expired.append(id) }
        }
        return expired.sorted().compactMap { id in
            remove(id).map { .unknown(id: id, index: $0.index, term: $0.term, why: .leadershipLost(waitedTicks: waited)) }
        }
    }

    /// The entry at `index`, of `term`, was applied with `result`.
    mutating func decided(index: UInt64, term: UInt64, result: [UInt8]) -> [ProposalOutcome] {
        guard let ids = atIndex.removeValue(forKey: index) else { return [] }
        var outcomes: [ProposalOutcome] = []
        for id in ids {
            guard let waiter = byID.removeValue(forKey: id) else { continue }
            orphans[id] = nil
            if waiter.term == term {
                outcomes.append(.applied(id: id, index: index, result: result))
            } else {
                outcomes.append(.superseded(id: id, index: index, term: waiter.term, committedTerm: term))
            }
        }
        return outcomes
    }

    /// A snapshot replaced the state up to `index`: the waiters at or below it cannot tell.
    mutating func restored(through index: UInt64) -> [ProposalOutcome] {
        let covered = byID.filter { $0.value.index <= index }.keys.sorted()
        return covered.compactMap { id in
            remove(id).map { .unknown(id: id, index: $0.index, term: $0.term, why: .replacedBySnapshot(through: index)) }
        }
    }

    /// Answers every waiter: the node stopped.
    mutating func removeAll(reason: String) -> [ProposalOutcome] {
        let outcomes = byID.keys.sorted().compactMap { id -> ProposalOutcome? in
            byID[id].map { .unknown(id: id, index: $0.index, term: $0.term, why: .stopped(reason)) }
        }
        byID = [:]
        atIndex = [:]
        orphans = [:]
        return outcomes
    }

    private mutating func remove(_ id: UInt64) -> Waiter? {
        guard let waiter = byID.removeValue(forKey: id) else { return nil }
        orphans[id] = nil
        unfile(id, at: waiter.index)
        return waiter
    }

    private mutating func unfile(_ id: UInt64, at index: UInt64) {
        guard let filed = atIndex[index] else { return }
        let rest = filed.filter { $0 != id }
        atIndex[index] = rest.isEmpty ? nil : rest
    }
}
