import CorralModel
import Foundation

/// The figures of `corral bench tasks` from the framework's timelines: throughput from the
/// first ACCEPT to the last terminal update, latency percentiles, and every task that did not
/// finish, with its state, reason and message.
struct BenchTasksReport {
    let timelines: [BenchTasksFramework.Timeline]

    /// Tasks whose terminal state is not TASK_FINISHED.
    var failures: [TaskStatus] {
        timelines.compactMap(\.end).filter { $0.state != .finished }.sorted { $0.taskID.value < $1.taskID.value }
    }

    /// Ended tasks per second, from the first ACCEPT to the last end.
    var tasksPerSecond: Double {
        guard let first = timelines.map(\.accepted).min(), let last = timelines.compactMap(\.ended).max(), last > first
        else { return 0 }
        return Double(timelines.filter { $0.ended != nil }.count) / Self.seconds(last - first)
    }

    /// The `fraction` percentile (nearest rank) of ACCEPT→RUNNING or ACCEPT→end, in milliseconds.
    static func percentile(_ samples: [Duration], _ fraction: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return seconds(sorted[min(max(rank, 0), sorted.count - 1)]) * 1000
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func text(header: String) -> String {
        let toRunning = timelines.compactMap { timeline in timeline.running.map { $0 - timeline.accepted } }
        let toFinished = timelines.compactMap { timeline -> Duration? in
            guard timeline.end?.state == .finished else { return nil }
            return timeline.ended.map { $0 - timeline.accepted }
        }
        var lines = [header]
        let span = (timelines.compactMap(\.ended).max()).flatMap { last in
            timelines.map(\.accepted).min().map { Self.seconds(last - $0) }
        } ?? 0
        lines.append(String(format: "  throughput       %.1f tasks/s (%d ended in %.2f s from the first ACCEPT)",
            tasksPerSecond, timelines.filter { $0.ended != nil }.count, span))
        lines.append(Self.line("ACCEPT→RUNNING ", toRunning))
        lines.append(Self.line("ACCEPT→FINISHED", toFinished))
        let failures = failures
        lines.append("  failed           \(failures.count)")
        let grouped = Dictionary(grouping: failures) { "\($0.state.rawValue) \($0.reason?.rawValue ?? "(no reason)"): \($0.message ?? "")" }
        for (what, tasks) in grouped.sorted(by: { $0.value.count > $1.value.count }) {
            lines.append("    \(tasks.count) × \(what) (e.g. \(tasks[0].taskID.value))")
        }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ")
        lines.append("  load average     \(load ?? "?") (at the end)")
        return lines.joined(separator: "\n")
    }

    private static func line(_ label: String, _ samples: [Duration]) -> String {
        guard let p50 = percentile(samples, 0.5), let p99 = percentile(samples, 0.99), let max = percentile(samples, 1)
        else { return "  \(label)  no samples" }
        return String(format: "  %@  p50 %.1f ms  p99 %.1f ms  max %.1f ms  (n=%d)", label, p50, p99, max, samples.count)
    }
}
