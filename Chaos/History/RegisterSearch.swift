/// Wing & Gong's linearizability search with Lowe's memoization (as in Porcupine), for one
/// register: find an order of the operations, consistent with real time, in which every read
/// returns the value of the latest write before it.
///
/// Calls and returns sit in one list sorted by time (a call before a return at the same
/// instant, so touching operations count as concurrent). The search linearizes the first
/// call it can, lifts that operation out of the list and starts again from the head; it
/// backtracks when it meets a return, because the operation returning there was not
/// linearized before it. A (linearized set, register value) pair seen once is never explored
/// again. An operation with no return (an indeterminate write) may be linearized at any point
/// after its call or never: the search is done when every operation that has a return is in.
struct RegisterSearch {
    /// One operation as the search sees it; values are interned (0 means "absent").
    struct Entry {
        var isWrite: Bool
        var value: Int
        var callNanos: UInt64
        /// `nil`: no return; the operation may take effect any time after its call, or never.
        var returnNanos: UInt64?
    }

    enum Result: Equatable {
        case linearizable(steps: Int)
        /// No order exists; `blocked` is the operation whose return stopped the deepest
        /// attempt (the best single operation to explain).
        case violation(blocked: Int, steps: Int)
        /// The search took `steps` steps or cached `states` states without deciding.
        case limitReached(steps: Int, states: Int)
    }

    let entries: [Entry]
    let maxSteps: Int
    let maxCachedWords: Int

    func run() -> Result {
        let count = entries.count
        guard count > 0 else { return .linearizable(steps: 0) }
        // Nodes: 0 is the head; call of operation i is 1 + 2i, its return 2 + 2i.
        var events: [(time: UInt64, isReturn: Bool, node: Int)] = []
        for (index, entry) in entries.enumerated() {
            events.append((entry.callNanos, false, 1 + 2 * index))
            if let end = entry.returnNanos { events.append((end, true, 2 + 2 * index)) }
        }
        events.sort { ($0.time, $0.isReturn ? 1 : 0, $0.node) < ($1.time, $1.isReturn ? 1 : 0, $1.node) }
        var next = [Int](repeating: -1, count: 2 * count + 1)
        var previous = [Int](repeating: -1, count: 2 * count + 1)
        var last = 0
        for event in events {
            next[last] = event.node
            previous[event.node] = last
            last = event.node
        }

        func lift(_ node: Int) {
            next[previous[node]] = next[node]
            if next[node] >= 0 { previous[next[node]] = previous[node] }
        }
        func unlift(_ node: Int) {
            next[previous[node]] = node
            if next[node] >= 0 { previous[next[node]] = node }
        }

        var linearized = OperationSet(count: count)
        var value = 0
        var stack: [(operation: Int, priorValue: Int)] = []
        var seen = Set<SearchState>()
        var pending = entries.reduce(0) { $0 + ($1.returnNanos == nil ? 0 : 1) }
        var deepest = (depth: -1, blocked: 0)
        var steps = 0
        var node = next[0]

        while pending > 0 {
            steps += 1
            if steps > maxSteps || seen.count * linearized.wordCount > maxCachedWords {
                return .limitReached(steps: steps, states: seen.count)
            }
            let operation = node > 0 ? (node - 1) / 2 : -1
            if node > 0, node % 2 == 1 {
                let entry = entries[operation]
                if entry.isWrite || entry.value == value {
                    let newValue = entry.isWrite ? entry.value : value
                    linearized.insert(operation)
                    if seen.insert(SearchState(linearized: linearized, value: newValue)).inserted {
                        stack.append((operation, value))
                        value = newValue
                        lift(node)
                        if entry.returnNanos != nil {
                            lift(node + 1)
                            pending -= 1
                        }
                        node = next[0]
                        continue
                    }
                    linearized.remove(operation)
                }
                node = next[node]
                continue
            }
            // A return (or the end of the list): its operation was not linearized in time.
            if operation >= 0, stack.count > deepest.depth { deepest = (stack.count, operation) }
            // Undo the latest step and try the call after it instead. A read that matched
            // the register when it was taken need not be tried later instead: it changes
            // nothing, and every call the scan reached was free to go first, so any order
            // that places it later works with it placed there too. Undo past it.
            while true {
                guard let top = stack.popLast() else { return .violation(blocked: deepest.blocked, steps: steps) }
                value = top.priorValue
                linearized.remove(top.operation)
                let call = 1 + 2 * top.operation
                if entries[top.operation].returnNanos != nil {
                    unlift(call + 1)
                    pending += 1
                }
                unlift(call)
                node = next[call]
                if entries[top.operation].isWrite { break }
            }
        }
        return .linearizable(steps: steps)
    }
}

/// The operations linearized so far, as a bit set.
struct OperationSet: Hashable {
    private var words: [UInt64]

    init(count: Int) { words = [UInt64](repeating: 0, count: (count + 63) / 64) }

    var wordCount: Int { words.count }

    mutating func insert(_ index: Int) { words[index >> 6] |= 1 << UInt64(index & 63) }
    mutating func remove(_ index: Int) { words[index >> 6] &= ~(1 << UInt64(index & 63)) }
}

/// A point the search has already explored.
struct SearchState: Hashable {
    var linearized: OperationSet
    var value: Int
}
