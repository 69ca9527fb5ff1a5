import CorralRaft

/// The run's event trace: a stable hash of every event, and, in trace mode, readable lines.
struct SimulationTrace {
    let recordsLines: Bool
    private(set) var lines: [String] = []
    private var hash = StableHash()

    init(recordsLines: Bool) {
        self.recordsLines = recordsLines
    }

    /// Records one event of `node` (0 for the simulator itself). `code` and `values` feed the
    /// hash; `text` is only built in trace mode.
    mutating func record(
        time: UInt64,
        node: NodeID,
        code: UInt64,
        _ values: UInt64...,
        text: @autoclosure () -> String
    ) {
        hash.combine(time)
        hash.combine(node)
        hash.combine(code)
        for value in values { hash.combine(value) }
        if recordsLines {
            let who = node == 0 ? "sim" : "n\(node)"
            lines.append("\(formatMicros(time)) \(who) \(text())")
        }
    }

    /// The stable hash of every event recorded so far.
    var digest: UInt64 { hash.value }
}
