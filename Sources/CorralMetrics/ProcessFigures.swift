import Foundation

/// Figures about this process, read from `/proc/self` when `/metrics` is scraped, under the
/// names Prometheus's own client libraries use (`process_…`). Several nodes run in one test
/// process; they all report the same process, which is what these figures describe.
public struct ProcessFigures: Sendable {
    /// Resident memory (`VmRSS`), in bytes.
    public var residentMemoryBytes: Double?
    /// Virtual memory (`VmSize`), in bytes.
    public var virtualMemoryBytes: Double?
    /// Open file descriptors (entries of `/proc/self/fd`).
    public var openFileDescriptors: Double?
    /// The soft limit on open file descriptors.
    public var maxFileDescriptors: Double?
    /// User and system CPU time, in seconds.
    public var cpuSeconds: Double

    /// Reads the figures now; one that cannot be read is left out rather than guessed.
    public static func read() -> ProcessFigures {
        var figures = ProcessFigures(cpuSeconds: 0)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            figures.residentMemoryBytes = kibibytes(in: status, field: "VmRSS:")
            figures.virtualMemoryBytes = kibibytes(in: status, field: "VmSize:")
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            // The listing itself holds one descriptor open while it reads.
            figures.openFileDescriptors = Double(max(0, entries.count - 1))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { figures.maxFileDescriptors = Double(limit.rlim_cur) }
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            figures.cpuSeconds = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
        return figures
    }

    /// Writes the figures as gauges (and the CPU time as a counter).
    public func write(to text: inout MetricsText) {
        if let residentMemoryBytes {
            text.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", residentMemoryBytes)
        }
        if let virtualMemoryBytes {
            text.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", virtualMemoryBytes)
        }
        if let openFileDescriptors { text.gauge("process_open_fds", "Number of open file descriptors.", openFileDescriptors) }
        if let maxFileDescriptors { text.gauge("process_max_fds", "Maximum number of open file descriptors.", maxFileDescriptors) }
        text.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", cpuSeconds)
    }

    private static func kibibytes(in status: String, field: String) -> Double? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return nil }
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 2, let value = Double(parts[1]) else { return nil }
        return value * 1024
    }

    private static func seconds(_ value: timeval) -> Double { Double(value.tv_sec) + Double(value.tv_usec) / 1e6 }
}
