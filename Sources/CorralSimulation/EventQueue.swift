/// A min-heap of events ordered by (time, key, sequence).
///
/// `key` is a tie-breaker chosen by whoever schedules the event from data that does not
/// depend on the order in which unrelated events were scheduled (node, link, per-stream
/// counter). That keeps a run identical even where the Raft node emits messages to
/// different peers in a set-iteration order that differs between processes.
///
/// The heap holds only the ordering fields and a slot number; payloads (which may be large
/// enums) stay put in `payloads`, so sifting moves a few words, never a payload. The heap's
/// code is inlinable and its entries are not generic, so a simulator in another module gets
/// it specialized for its payload instead of looking up generic metadata on every swap.
package struct EventQueue<Payload> {
    @usableFromInline var heap: [EventQueueEntry] = []
    @usableFromInline var payloads: [Payload?] = []
    @usableFromInline var freeSlots: [Int] = []
    @usableFromInline var nextSequence: UInt64 = 0

    @inlinable package init() {}

    @inlinable package var isEmpty: Bool { heap.isEmpty }
    @inlinable package var count: Int { heap.count }

    /// Schedules `payload` at `time`; `key` breaks ties between events at the same time.
    @inlinable package mutating func push(_ payload: Payload, at time: UInt64, key: UInt64) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            payloads[slot] = payload
        } else {
            slot = payloads.count
            payloads.append(payload)
        }
        heap.append(EventQueueEntry(time: time, key: key, sequence: nextSequence, slot: slot))
        nextSequence += 1
        EventQueueEntry.siftUp(&heap, from: heap.count - 1)
    }

    /// Removes and returns the earliest event.
    @inlinable package mutating func pop() -> (time: UInt64, payload: Payload)? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            EventQueueEntry.siftDown(&heap, from: 0)
        }
        let payload = payloads[first.slot].take()!
        freeSlots.append(first.slot)
        return (first.time, payload)
    }

    /// The time of the earliest event.
    @inlinable package var nextTime: UInt64? { heap.first?.time }
}

/// One event's place in `EventQueue`'s heap.
@usableFromInline package struct EventQueueEntry {
    @usableFromInline var time: UInt64
    @usableFromInline var key: UInt64
    @usableFromInline var sequence: UInt64
    @usableFromInline var slot: Int

    @inlinable init(time: UInt64, key: UInt64, sequence: UInt64, slot: Int) {
        self.time = time
        self.key = key
        self.sequence = sequence
        self.slot = slot
    }

    @inlinable func precedes(_ other: EventQueueEntry) -> Bool {
        if time != other.time { return time < other.time }
        if key != other.key { return key < other.key }
        return sequence < other.sequence
    }

    @inlinable static func siftUp(_ heap: inout [EventQueueEntry], from start: Int) {
        heap.withUnsafeMutableBufferPointer { heap in
            var child = start
            let moving = heap[child]
            while child > 0 {
                let parent = (child - 1) / 2
                guard moving.precedes(heap[parent]) else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = moving
        }
    }

    @inlinable static func siftDown(_ heap: inout [EventQueueEntry], from start: Int) {
        heap.withUnsafeMutableBufferPointer { heap in
            let count = heap.count
            var parent = start
            let moving = heap[parent]
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                let right = left + 1
                let child = right < count && heap[right].precedes(heap[left]) ? right : left
                guard heap[child].precedes(moving) else { break }
                heap[parent] = heap[child]
                parent = child
            }
            heap[parent] = moving
        }
    }
}
