/// Group commit for the agent's checkpoint: what the state machine asks for, in order, with
/// every item held back until all checkpoint writes asked for before it are durable.
///
/// Writes are merged: while one transaction is on disk, the writes of later steps gather and
/// go out together as the next one, so a burst of steps costs one fsync instead of one each.
/// An item runs at once only when no write is queued or in flight ahead of it; otherwise it
/// waits for the transaction that holds the last write before it. Items never overtake each
/// other. A merged write may make a later step's changes durable before an earlier step's
/// item runs; that is the same state a crash between that step's write and its item leaves.
///
/// Pure: the shell writes `Step.write` (off the actor) and calls `written()` when it is durable.
struct DurableQueue<Item> {
    /// One thing to do, in the order the machine asked.
    enum Entry {
        /// Checkpoint changes that must be durable before any later entry runs.
        case write([Change])
        /// Anything else.
        case item(Item)
    }

    typealias Change = CheckpointChange

    /// What the shell does now: run `run` in order, then start `write` (one transaction) if set.
    struct Step {
        var run: [Item] = []
        var write: [Change]?
    }

    /// Entries not yet released, oldest first.
    private var waiting: [Entry] = []
    /// How many entries at the head of `waiting` the transaction in flight covers.
    private var inFlight: Int?

    /// Whether a transaction is on disk now.
    var isWriting: Bool { inFlight != nil }
    /// Entries held back.
    var heldCount: Int { waiting.count }

    /// Adds entries at the tail; returns what can happen now.
    mutating func submit(_ entries: [Entry]) -> Step {
        waiting += entries
        return advance()
    }

    /// The transaction in flight is durable: releases what it covered and starts the next.
    mutating func written() -> Step {
        guard let covered = inFlight else { return Step() }
        inFlight = nil
        var step = Step()
        for entry in waiting.prefix(covered) {
            if case .item(let item) = entry { step.run.append(item) }
        }
        waiting.removeFirst(covered)
        let next = advance()
        step.run += next.run
        step.write = next.write
        return step
    }

    /// Releases the items at the head that no write precedes; if a write is queued and none is
    /// in flight, starts one covering everything queued so far.
    private mutating func advance() -> Step {
        guard inFlight == nil else { return Step() }
        var step = Step()
        var released = 0
        for entry in waiting {
            guard case .item(let item) = entry else { break }
            step.run.append(item)
            released += 1
        }
        waiting.removeFirst(released)
        let changes = waiting.flatMap { entry -> [Change] in
            if case .write(let changes) = entry { return changes }
            return []
        }
        if !waiting.isEmpty {
            inFlight = waiting.count
            step.write = changes
        }
        return step
    }
}
