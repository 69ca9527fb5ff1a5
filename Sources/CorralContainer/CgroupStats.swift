/// What a container's cgroups recorded, read before they are removed.
public struct CgroupStats: Codable, Sendable, Equatable {
    /// memory.max_usage_in_bytes.
    public var memoryMaxUsageBytes: Int64 = 0
    /// memory.failcnt: how often the limit was hit.
    public var memoryFailCount: Int64 = 0
    /// memory.oom_control under_oom.
    public var underOOM: Bool = false
    /// memory.oom_control oom_kill: tasks the OOM killer killed.
    public var oomKillCount: Int64 = 0
    /// pids.current.
    public var pidsCurrent: Int64 = 0
    /// pids.events "max": forks refused by pids.max.
    public var pidsLimitHits: Int64 = 0
    /// cpuacct.usage in nanoseconds.
    public var cpuUsageNanoseconds: Int64 = 0

    /// Empty stats.
    public init() {}
}

extension Cgroup {
    /// Reads the stats; a missing file reads as zero.
    public func stats() -> CgroupStats {
        var stats = CgroupStats()
        stats.memoryMaxUsageBytes = number("memory", "memory.max_usage_in_bytes")
        stats.memoryFailCount = number("memory", "memory.failcnt")
        let oom = keyed("memory", "memory.oom_control")
        stats.underOOM = (oom["under_oom"] ?? 0) != 0
        stats.oomKillCount = oom["oom_kill"] ?? 0
        stats.pidsCurrent = number("pids", "pids.current")
        stats.pidsLimitHits = keyed("pids", "pids.events")["max"] ?? 0
        stats.cpuUsageNanoseconds = number("cpuacct", "cpuacct.usage")
        return stats
    }

    private func number(_ controller: String, _ file: String) -> Int64 {
        (try? read(controller, file)).flatMap { Int64($0) } ?? 0
    }

    /// Parses "key value" lines.
    private func keyed(_ controller: String, _ file: String) -> [String: Int64] {
        Self.keyedValues((try? read(controller, file)) ?? "")
    }

    /// The "key value" lines of `text` whose value is a number.
    static func keyedValues(_ text: String) -> [String: Int64] {
        var values: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Int64(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }
}
