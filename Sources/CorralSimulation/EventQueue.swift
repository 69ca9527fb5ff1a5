/// A min-heap of events ordered by (time, key, sequence).
///
/// `key` is a tie-breaker chosen by whoever schedules the event from data that does not
/// depend on the order in which unrelated events were scheduled (node, link, per-stream
/// counter). That keeps a run identical even where the Raft node emits messages to
/// different peers in a set-iteration order that differs between processes.
///
/// The heap holds only the ordering fields and a slot number; payloads (which may be large
/// enums) stay put in `payloads`, so sifting moves a few words, never a payload.
package struct EventQueue<Payload> {
    private struct Item {
        var time: UInt64
        var key: UInt64
        var sequence: UInt64
        var slot: Int

        func precedes(_ other: Item) -> Bool {
            if time != other.time { return time < other.time }
            if key != other.key { return key < other.key }
            return sequence < other.sequence
        }
    }

    private var heap: [Item] = []
    private var payloads: [Payload?] = []
    private var freeSlots: [Int] = []
    private var nextSequence: UInt64 = 0

    package init() {}

    package var isEmpty: Bool { heap.isEmpty }
    package var count: Int { heap.count }

    /// Schedules `payload` at `time`; `key` breaks ties between events at the same time.
    package mutating func push(_ payload: Payload, at time: UInt64, key: UInt64) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            payloads[slot] = payload
        } else {
            slot = payloads.count
            payloads.append(payload)
        }
        heap.append(Item(time: time, key: key, sequence: nextSequence, slot: slot))
        nextSequence += 1
        siftUp(heap.count - 1)
    }

    /// Removes and returns the earliest event.
    package mutating func pop() -> (time: UInt64, payload: Payload)? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        let payload = payloads[first.slot].take()!
        freeSlots.append(first.slot)
        return (first.time, payload)
    }

    /// The time of the earliest event.
    package var nextTime: UInt64? { heap.first?.time }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var best = parent
            if left < heap.count, heap[left].precedes(heap[best]) { best = left }
            if right < heap.count, heap[right].precedes(heap[best]) { best = right }
            guard best != parent else { return }
            heap.swapAt(parent, best)
            parent = best
        }
    }
}
