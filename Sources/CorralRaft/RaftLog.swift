/// A node's log in memory: the boundary of its latest snapshot and the entries it holds.
///
/// Entries are contiguous. They may start before the snapshot's index (trailing entries
/// kept after compaction so followers a little behind need no snapshot) and always reach
/// at least up to it. `durableIndex` is the highest index the shell has confirmed durable.
struct RaftLog: Sendable {
    private(set) var snapshotIndex: UInt64
    private(set) var snapshotTerm: UInt64
    private(set) var entries: [Entry]
    private(set) var durableIndex: UInt64

    /// A log of these entries after a snapshot at (snapshotIndex, snapshotTerm). The entries
    /// must fit the snapshot (see `damage(snapshotIndex:snapshotTerm:entries:)`); they are
    /// all taken as durable.
    init(snapshotIndex: UInt64, snapshotTerm: UInt64, entries: [Entry]) {
        self.snapshotIndex = snapshotIndex
        self.snapshotTerm = snapshotTerm
        self.entries = entries
        self.durableIndex = max(snapshotIndex, entries.last?.index ?? 0)
    }

    /// What is wrong with stored entries read back with a snapshot at (snapshotIndex,
    /// snapshotTerm), or nil when they form a log: contiguous, terms never going back,
    /// starting at or before the index after the snapshot, reaching the snapshot's index,
    /// and holding the snapshot's term there.
    static func damage(
        snapshotIndex: UInt64, snapshotTerm: UInt64, entries: [Entry]
    ) -> (code: RaftStateError.Code, detail: String)? {
        guard let first = entries.first, let last = entries.last else { return nil }
        if first.index == 0 {
            return (.logNotContiguous, "a stored entry has index 0")
        }
        for (previous, next) in zip(entries, entries.dropFirst()) {
            if next.index != previous.index + 1 {
                return (.logNotContiguous, "stored entry \(next.index) follows entry \(previous.index)")
            }
            if next.term < previous.term {
                return (
                    .logNotContiguous,
                    "the term goes back from \(previous.term) at index \(previous.index) to \(next.term) at index \(next.index)"
                )
            }
        }
        if first.index > snapshotIndex + 1 {
            return (
                .logDisconnectedFromSnapshot,
                "the stored log starts at index \(first.index) but the snapshot ends at index \(snapshotIndex): entries \(snapshotIndex + 1)...\(first.index - 1) are missing"
            )
        }
        if last.index < snapshotIndex {
            return (
                .logDisconnectedFromSnapshot,
                "the stored log ends at index \(last.index), before the snapshot's index \(snapshotIndex)"
            )
        }
        if let atSnapshot = entries.first(where: { $0.index == snapshotIndex }), atSnapshot.term != snapshotTerm {
            return (
                .logDisagreesWithSnapshot,
                "the stored entry at the snapshot's index \(snapshotIndex) has term \(atSnapshot.term), the snapshot term \(snapshotTerm)"
            )
        }
        return nil
    }

    // MARK: - Reading

    var firstIndex: UInt64 { entries.first?.index ?? snapshotIndex + 1 }
    var lastIndex: UInt64 { max(entries.last?.index ?? 0, snapshotIndex) }
    var lastTerm: UInt64 { term(at: lastIndex) ?? 0 }

    /// The term at `index`, or nil when the log no longer (or does not yet) hold it.
    func term(at index: UInt64) -> UInt64? {
        if let position = position(of: index) { return entries[position].term }
        if index == snapshotIndex { return snapshotTerm }
        return nil
    }

    func entry(at index: UInt64) -> Entry? {
        position(of: index).map { entries[$0] }
    }

    func matches(index: UInt64, term: UInt64) -> Bool {
        self.term(at: index) == term
    }

    /// Entries from `index` on, up to `maxBytes` (at least one if any), or nil if compacted.
    func entries(from index: UInt64, maxBytes: Int, upTo last: UInt64 = .max) -> [Entry]? {
        if index > lastIndex || index > last { return [] }
        guard let start = position(of: index) else { return nil }
        var result: [Entry] = []
        var bytes = 0
        var position = start
        while position < entries.count, entries[position].index <= last {
            let size = entries[position].sizeBytes
            if !result.isEmpty && bytes + size > maxBytes { break }
            result.append(entries[position])
            bytes += size
            position += 1
        }
        return result
    }

    /// Whether (index, term) is at least as up to date as this log's last entry (§5.4.1).
    func isUpToDate(lastIndex otherIndex: UInt64, lastTerm otherTerm: UInt64) -> Bool {
        otherTerm > lastTerm || (otherTerm == lastTerm && otherIndex >= lastIndex)
    }

    /// The largest index at or below `index` whose term is at most `term`, with its term.
    /// Used for fast backtracking on a rejected append. Gives (index, 0) when unknown.
    func lastIndex(atOrBelow index: UInt64, withTermAtMost term: UInt64) -> (index: UInt64, term: UInt64) {
        var candidate = min(index, lastIndex)
        while true {
            guard let found = self.term(at: candidate) else { return (candidate, 0) }
            if found <= term || candidate == 0 { return (candidate, found) }
            candidate -= 1
        }
    }

    /// The first index of `incoming` whose term disagrees with the log, or nil if all agree.
    func firstConflict(in incoming: [Entry]) -> UInt64? {
        for entry in incoming where !matches(index: entry.index, term: entry.term) {
            return entry.index
        }
        return nil
    }

    // MARK: - Writing

    /// Appends entries that follow the log, replacing any tail from their first index on.
    mutating func append(_ incoming: [Entry]) {
        guard let first = incoming.first else { return }
        if let position = position(of: first.index) {
            entries.removeSubrange(position...)
        } else if first.index <= snapshotIndex {
            return
        }
        entries.append(contentsOf: incoming)
        durableIndex = min(durableIndex, first.index - 1)
    }

    /// Records that the shell made every entry up to (index, term) durable.
    mutating func markDurable(index: UInt64, term: UInt64) {
        guard index > durableIndex, matches(index: index, term: term) else { return }
        durableIndex = index
    }

    /// Moves the snapshot boundary to a snapshot the node took itself, keeping the entries.
    mutating func advanceSnapshot(index: UInt64, term: UInt64) {
        guard index > snapshotIndex, matches(index: index, term: term) else { return }
        snapshotIndex = index
        snapshotTerm = term
    }

    /// Replaces the whole log with a snapshot from the leader; durable once the shell says so.
    mutating func restore(index: UInt64, term: UInt64) {
        snapshotIndex = index
        snapshotTerm = term
        entries = []
        durableIndex = min(durableIndex, index - min(index, 1))
    }

    /// Drops the entries up to and including `index`, which a snapshot must cover.
    mutating func compact(through index: UInt64) {
        let bound = min(index, snapshotIndex)
        guard let first = entries.first, first.index <= bound else { return }
        entries.removeFirst(Int(bound - first.index + 1))
    }

    mutating func markSnapshotDurable(index: UInt64, term: UInt64) {
        guard index == snapshotIndex, term == snapshotTerm else { return }
        durableIndex = max(durableIndex, index)
    }

    // MARK: - Private

    private func position(of index: UInt64) -> Int? {
        guard let first = entries.first, index >= first.index else { return nil }
        let position = Int(index - first.index)
        return position < entries.count ? position : nil
    }
}
