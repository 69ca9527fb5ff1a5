/// SplitMix64, the project's one seeded generator (in CorralScheduler), so a random test run
/// replays from its seed.
@_exported import struct CorralScheduler.SplitMix64

/// The same generator under the name some suites use.
public typealias SeededGenerator = SplitMix64
