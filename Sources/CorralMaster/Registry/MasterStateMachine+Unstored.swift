extension MasterStateMachine {
    /// Changes applied in memory since the last store.
    struct Unstored {
        /// A key's latest value; nil: deleted.
        struct Change {
            var value: [UInt8]?
        }

        var values: [[UInt8]: Change] = [:]
        /// The last applied index; nil when nothing waits to be stored.
        var index: UInt64?
        /// When the oldest change not stored was applied.
        var since: ContinuousClock.Instant?
        /// About how many bytes the key-value changes hold.
        var bytes = 0

        /// Past this many bytes of key-value changes, store at once whatever the interval.
        static let maximumBytes = 16 << 20

        mutating func add(_ changes: [([UInt8], [UInt8]?)], index: UInt64, now: ContinuousClock.Instant) {
            for (key, value) in changes {
                values[key] = Change(value: value)
                bytes += key.count + (value?.count ?? 0)
            }
            self.index = index
            since = since ?? now
        }

        func isDue(now: ContinuousClock.Instant, interval: Duration) -> Bool {
            guard index != nil else { return false }
            if interval <= .zero || bytes >= Self.maximumBytes { return true }
            return since.map { now - $0 >= interval } ?? true
        }
    }
}
