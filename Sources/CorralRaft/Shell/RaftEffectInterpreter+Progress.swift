extension RaftEffectInterpreter {
    // MARK: - Writes, ticks, sends

    /// The storage made every write up to `sequence` durable: releases the messages that
    /// waited for them, then gives the node its acknowledgements.
    public mutating func durable(through sequence: UInt64) -> RaftShellWork {
        var work = RaftShellWork()
        guard stopReason == nil else { return work }
        durableSequence = max(durableSequence, sequence)
        let released = held.prefix { $0.sequence <= durableSequence }.count
        for index in 0..<released { route(held[index].message, into: &work) }
        held.removeFirst(released)
        let acknowledged = acks.prefix { $0.sequence <= durableSequence }.count
        for index in 0..<acknowledged { work.inputs.append(acks[index].input) }
        acks.removeFirst(acknowledged)
        return work
    }

    /// Call after stepping `node` with `.tick`: counts the tick and answers the proposals of
    /// a deposed leader whose wait is over and whose entry is not committed in their term.
    public mutating func tick(node: RaftNode) -> [ProposalOutcome] {
        ticks += 1
        guard stopReason == nil else { return [] }
        return waiters.expire(now: ticks, waited: outcomeWaitTicks) { index, term in
            index <= node.commitIndex && node.term(at: index) == term
        }
    }

    /// Sends every message that is ready, in the order the node gave them.
    public mutating func flush(to transport: some RaftMessageSender) {
        guard !outbox.isEmpty, stopReason == nil else { return }
        transport.send(outbox)
        outbox.removeAll(keepingCapacity: true)
    }

    // MARK: - Applying

    /// The state machine applied the entry at `index`, of `term`, with `result`.
    public mutating func decided(index: UInt64, term: UInt64, result: [UInt8] = []) -> [ProposalOutcome] {
        waiters.decided(index: index, term: term, result: result)
    }

    /// The state machine applied the entries whose terms are given by index, with their results.
    public mutating func decided(terms: [UInt64: UInt64], results: [UInt64: [UInt8]]) -> [ProposalOutcome] {
        var outcomes: [ProposalOutcome] = []
        for index in terms.keys.filter({ waiters.isWaiting(at: $0) }).sorted() {
            guard let term = terms[index] else { continue }
            outcomes += waiters.decided(index: index, term: term, result: results[index] ?? [])
        }
        return outcomes
    }

    /// The state machine was replaced by a snapshot up to `index`; the shell reports the new
    /// applied index with `applied(through:)` too.
    public mutating func restored(through index: UInt64) -> [ProposalOutcome] {
        waiters.restored(through: index)
    }

    /// The state machine has applied everything up to `index` (reads may see it): hands over
    /// the reads that waited for it, in the order they became ready.
    public mutating func applied(through index: UInt64) -> [RaftHandOff] {
        appliedIndex = max(appliedIndex, index)
        guard !readsAwaitingApply.isEmpty, stopReason == nil else { return [] }
        let ready = readsAwaitingApply.filter { $0.index <= appliedIndex }
        readsAwaitingApply.removeAll { $0.index <= appliedIndex }
        return ready.map { .readReady(id: $0.id, index: $0.index) }
    }

    // MARK: - Stopping

    /// Stops for good (a write failed, the node stopped): nothing held or unsent goes out,
    /// nothing more is written or acknowledged, no read is handed over, and every waiting
    /// proposal is answered "outcome unknown" (the shell answers its reads itself). Safe to
    /// call again; later calls answer nothing more.
    public mutating func stop(_ reason: String) -> [ProposalOutcome] {
        halt(reason)
        return waiters.removeAll(reason: reason)
    }

    mutating func halt(_ reason: String) {
        if stopReason == nil { stopReason = reason }
        held = []
        acks = []
        outbox = []
        readsAwaitingApply = []
    }
}
