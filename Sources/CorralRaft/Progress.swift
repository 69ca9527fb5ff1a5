/// The leader's replication state for one follower (the etcd-raft shape).
///
/// - probe: one append at a time until the follower's match is found;
/// - replicate: appends are pipelined (next advances optimistically) within the in-flight
///   limits;
/// - snapshot: the follower is behind the log's start and receives the snapshot in chunks.
struct Progress: Sendable {
    var match: UInt64
    var next: UInt64
    var state: FollowerProgress.State = .probe
    /// In probe state: an append is out and unanswered; no other is sent until a heartbeat reply.
    var probeSent = false
    var inflights: Inflights
    var recentActive = false
    var isLearner: Bool
    /// In snapshot state: the snapshot being sent, pinned with its data when the transfer
    /// started (a newer snapshot taken meanwhile, possibly metadata only, changes nothing
    /// here), its index, and how many bytes the follower holds.
    var snapshot: Snapshot?
    var snapshotIndex: UInt64 = 0
    var snapshotOffset = 0
    var snapshotChunkOut = false
    /// Heartbeat replies seen while a chunk is unanswered; the chunk is resent after a few.
    var snapshotStallCount = 0

    init(next: UInt64, isLearner: Bool, maxInflightMessages: Int, maxInflightBytes: Int) {
        self.match = 0
        self.next = next
        self.isLearner = isLearner
        self.inflights = Inflights(maxMessages: maxInflightMessages, maxBytes: maxInflightBytes)
    }

    var isPaused: Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.isFull
        case .snapshot: return true
        }
    }

    mutating func becomeProbe() {
        if state == .snapshot {
            next = max(match + 1, snapshotIndex + 1)
        } else {
            next = match + 1
        }
        state = .probe
        probeSent = false
        inflights.reset()
        snapshot = nil
        snapshotIndex = 0
        snapshotOffset = 0
        snapshotChunkOut = false
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        probeSent = false
        inflights.reset()
    }

    mutating func becomeSnapshot(_ pinned: Snapshot) {
        state = .snapshot
        snapshot = pinned
        snapshotIndex = pinned.metadata.index
        snapshotOffset = 0
        snapshotChunkOut = false
        inflights.reset()
    }

    /// Records an acknowledged index; false if the acknowledgement is stale.
    mutating func update(match index: UInt64) -> Bool {
        var advanced = false
        if index > match {
            match = index
            advanced = true
            probeSent = false
        }
        next = max(next, index + 1)
        return advanced
    }

    /// Handles a rejection of the append that followed `rejected`; false if stale.
    mutating func decrease(rejected: UInt64, hint: UInt64) -> Bool {
        if state == .replicate {
            if rejected <= match { return false }
            next = match + 1
            return true
        }
        if next - 1 != rejected { return false }
        next = max(min(rejected, hint + 1), match + 1)
        probeSent = false
        return true
    }

    var view: FollowerProgress {
        FollowerProgress(match: match, next: next, state: state, recentActive: recentActive, isLearner: isLearner)
    }
}

/// A window of appends in flight to one follower, bounded in count and bytes.
struct Inflights: Sendable {
    let maxMessages: Int
    let maxBytes: Int
    private var items: [(last: UInt64, bytes: Int)] = []
    private var head = 0
    private(set) var bytes = 0

    init(maxMessages: Int, maxBytes: Int) {
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
    }

    var count: Int { items.count - head }
    var isFull: Bool { count >= maxMessages || bytes >= maxBytes }

    mutating func add(last: UInt64, bytes size: Int) {
        items.append((last, size))
        bytes += size
    }

    /// Frees every append whose last index is at or below `index`.
    mutating func free(through index: UInt64) {
        while head < items.count, items[head].last <= index {
            bytes -= items[head].bytes
            head += 1
        }
        compactStorage()
    }

    /// Frees the oldest append: a heartbeat reply shows the follower is alive, so a lost
    /// append must not stall the pipeline forever.
    mutating func freeFirst() {
        guard head < items.count else { return }
        bytes -= items[head].bytes
        head += 1
        compactStorage()
    }

    mutating func reset() {
        items.removeAll(keepingCapacity: true)
        head = 0
        bytes = 0
    }

    private mutating func compactStorage() {
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
    }
}
