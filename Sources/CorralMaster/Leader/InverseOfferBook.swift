import CorralModel

/// The leader's inverse offers (maintenance): which are outstanding, how long a framework
/// that answered is not asked again about an agent, and each draining machine's frameworks'
/// last answers, for GET_MAINTENANCE_STATUS. Like offers, leader-local: a new leader asks
/// again.
package struct InverseOfferBook: Equatable {
    /// An inverse offer sent and not yet answered or rescinded.
    struct Outstanding: Equatable {
        var framework: FrameworkID
        var agent: AgentID
        var machine: MaintenanceSchedule.MachineID
    }

    /// A framework and an agent.
    struct Pair: Hashable {
        var framework: FrameworkID
        var agent: AgentID
    }

    private(set) var outstanding: [MesosOfferID: Outstanding] = [:]
    /// Until when (allocator milliseconds) a framework that answered is not asked about an agent again.
    private(set) var quietUntil: [Pair: UInt64] = [:]
    /// Each draining machine's frameworks' last answers.
    package private(set) var statuses: [MaintenanceSchedule.MachineID: [FrameworkID: InverseOfferStatus]] = [:]

    /// Whether `framework` may be asked about `agent` now: nothing outstanding, no quiet time.
    func mayAsk(_ framework: FrameworkID, about agent: AgentID, nowMillis: UInt64) -> Bool {
        let pair = Pair(framework: framework, agent: agent)
        return (quietUntil[pair] ?? 0) <= nowMillis && !outstanding.values.contains { Pair(framework: $0.framework, agent: $0.agent) == pair }
    }

    /// Records an inverse offer sent; the framework's status for the machine is UNKNOWN until
    /// it answers (a previous answer stands).
    mutating func sent(_ id: MesosOfferID, _ entry: Outstanding, atNanos: UInt64) {
        outstanding[id] = entry
        if statuses[entry.machine]?[entry.framework] == nil {
            statuses[entry.machine, default: [:]][entry.framework] = InverseOfferStatus(
                status: .unknown, frameworkID: entry.framework, timestamp: DurationInfo(nanoseconds: Int64(atNanos)))
        }
    }

    /// A framework answered its inverse offer `id`: it is no longer outstanding, its answer is
    /// the machine's status for it, and it is not asked again for `refuseMillis`. False when
    /// `id` is not an outstanding inverse offer of `framework`.
    mutating func answered(_ id: MesosOfferID, by framework: FrameworkID, accept: Bool, atNanos: UInt64, nowMillis: UInt64, refuseMillis: UInt64) -> Bool {
        guard let entry = outstanding[id], entry.framework == framework else { return false }
        outstanding[id] = nil
        statuses[entry.machine, default: [:]][framework] = InverseOfferStatus(
            status: accept ? .accept : .decline, frameworkID: framework, timestamp: DurationInfo(nanoseconds: Int64(atNanos)))
        quietUntil[Pair(framework: framework, agent: entry.agent)] = nowMillis + refuseMillis
        return true
    }

    /// Removes the outstanding inverse offers `drop` picks; returns them (sorted by ID).
    mutating func remove(where drop: (MesosOfferID, Outstanding) -> Bool) -> [(MesosOfferID, Outstanding)] {
        let removed = outstanding.filter { drop($0.key, $0.value) }.sorted { $0.key < $1.key }
        for (id, _) in removed { outstanding[id] = nil }
        return removed.map { ($0.key, $0.value) }
    }

    /// Keeps the statuses of `draining` machines only, and of frameworks `keep` allows.
    mutating func pruneStatuses(draining: Set<MaintenanceSchedule.MachineID>, keep: (FrameworkID) -> Bool = { _ in true }) {
        statuses = statuses.filter { draining.contains($0.key) }.mapValues { $0.filter { keep($0.key) } }.filter { !$0.value.isEmpty }
    }

    /// Forgets everything (a new term).
    mutating func reset() { self = InverseOfferBook() }
}
