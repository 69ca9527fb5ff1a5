import CorralContainer
import CorralModel

/// How a container's recorded end becomes a task's end, as Mesos's command executor reports it.
enum TaskExitMapping {
    /// The end of the container in `state`, or nil while it has not ended. `killed`: the
    /// agent asked for the kill; `memoryLimitBytes`: the limit an OOM kill names.
    static func end(of state: ContainerRecord.State, killed: Bool, memoryLimitBytes: Int64?) -> TaskEnd? {
        switch state {
        case .created, .running:
            return nil
        case .failed(let message):
            return TaskEnd(
                state: .failed,
                reason: .containerLaunchFailed,
                message: "the container failed to launch: \(message)"
            )
        case .exited(let exitCode, let oomKilled, _):
            return end(exitCode: exitCode, oomKilled: oomKilled, killed: killed, memoryLimitBytes: memoryLimitBytes)
        }
    }

    /// The end of a container whose init exited with `exitCode` (128 + N for signal N, nil if unknown).
    static func end(exitCode: Int32?, oomKilled: Bool, killed: Bool, memoryLimitBytes: Int64?) -> TaskEnd {
        let status = exitCode.map(describe)
        let waitStatus = exitCode.map(waitStatus)
        if killed {
            return TaskEnd(
                state: .killed,
                reason: nil,
                message: "Command killed by the agent" + (status.map { "; it \($0)" } ?? ""),
                exitStatus: waitStatus
            )
        }
        if oomKilled {
            let limit = memoryLimitBytes.map { " of \($0 >> 20) MB" } ?? ""
            return TaskEnd(
                state: .failed,
                reason: .containerLimitationMemory,
                message: "Memory limit exceeded: the task reached its limit\(limit) and the OOM killer ended it",
                exitStatus: waitStatus
            )
        }
        guard let exitCode, let status else {
            return TaskEnd(
                state: .failed,
                reason: .commandExecutorFailed,
                message: "the container ended while its supervisor was gone; its exit status is unknown"
            )
        }
        if exitCode == 0 {
            return TaskEnd(state: .finished, reason: nil, message: "Command \(status)", exitStatus: waitStatus)
        }
        return TaskEnd(
            state: .failed,
            reason: .commandExecutorFailed,
            message: "Command \(status)",
            exitStatus: waitStatus
        )
    }

    /// The signal behind an exit code of 128 + N, if it is one.
    static func signal(of exitCode: Int32) -> Int32? {
        exitCode > 128 && exitCode <= 128 + 64 ? exitCode - 128 : nil
    }

    /// "exited with status N" or "terminated by signal SIGTERM (15)".
    static func describe(_ exitCode: Int32) -> String {
        guard let signal = signal(of: exitCode) else { return "exited with status \(exitCode)" }
        return "terminated by signal \(signalName(signal)) (\(signal))"
    }

    /// The wait status: the code shifted as waitpid reports it, or the bare signal number.
    static func waitStatus(_ exitCode: Int32) -> Int32 {
        signal(of: exitCode) ?? (exitCode & 0xff) << 8
    }

    /// `SIGTERM`, `SIGKILL`, … for the usual signals; `signal N` otherwise.
    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
            8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
            14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
