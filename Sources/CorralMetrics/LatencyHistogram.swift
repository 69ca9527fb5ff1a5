/// A histogram of durations kept as plain fields by a single owner (an actor, or a thread
/// that owns it): recording is a few comparisons and one increment, no lock and no
/// allocation, so the Raft server records every proposal with it. Copy it out when scraped.
public struct LatencyHistogram: Sendable, Hashable {
    /// Upper bounds of the buckets, in seconds, ascending.
    public let bounds: [Double]
    /// Samples per bucket (not cumulative): `counts[i]` counts samples in `(bounds[i-1], bounds[i]]`.
    public private(set) var counts: [UInt64]
    /// Samples above the last bound.
    public private(set) var overflow: UInt64 = 0
    /// The sum of all samples, in seconds.
    public private(set) var sum: Double = 0
    /// How many samples were recorded.
    public private(set) var count: UInt64 = 0

    /// Bounds from 100 µs to 10 s, for disk syncs, commits and request latencies.
    public static let defaultBounds: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    public init(bounds: [Double] = LatencyHistogram.defaultBounds) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    /// Records one sample of `seconds`.
    public mutating func record(seconds: Double) {
        sum += seconds
        count += 1
        for index in bounds.indices where seconds <= bounds[index] {
            counts[index] += 1
            return
        }
        overflow += 1
    }

    /// Records one sample of `duration`.
    public mutating func record(_ duration: Duration) {
        record(seconds: duration.metricSeconds)
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    public var metricSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
