import Foundation
import Glibc

/// Pausing a child process for a test. `kill(pid, SIGSTOP)` returns before every thread of the
/// target has stopped: a thread that is running finishes its time slice first, and can still
/// answer a message meanwhile. A test that asserts what happens while a process is paused
/// must wait until all its threads are stopped.
public enum ProcessSignal {
    /// Sends `signal`; for SIGSTOP, returns once every thread of `pid` is stopped (state `T`
    /// in `/proc/<pid>/task/*/stat`), or after `seconds` if one never stops (it exited).
    public static func send(_ signal: Int32, to pid: pid_t, seconds: Double = 5) {
        Glibc.kill(pid, signal)
        guard signal == SIGSTOP else { return }
        let deadline = Date().addingTimeInterval(seconds)
        while !isStopped(pid), Date() < deadline { usleep(1_000) }
    }

    /// Whether every thread of `pid` is stopped; false once it has none (it exited).
    public static func isStopped(_ pid: pid_t) -> Bool {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        guard !tasks.isEmpty else { return false }
        return tasks.allSatisfy { task in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return true }  // the thread exited meanwhile
            // After "pid (comm) ", the state is one letter.
            let state = stat[stat.index(after: close)...].dropFirst().first
            return state == "T" || state == "t"
        }
    }
}
