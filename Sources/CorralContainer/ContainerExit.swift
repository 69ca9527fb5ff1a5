/// How a container ended, read before its cgroups were removed.
public struct ContainerExit: Codable, Sendable, Equatable {
    /// The wait status of the container's init.
    public enum Status: Codable, Sendable, Equatable {
        /// Exited with this code (a task killed by signal N shows as 128 + N, as in Docker).
        case exited(Int32)
        /// The init itself was killed by this signal (e.g. `stop` after the grace period).
        case signaled(Int32)
    }

    /// The wait status.
    public var status: Status
    /// Whether the kernel's OOM killer ended it.
    public var oomKilled: Bool
    /// The cgroup counters at the end.
    public var stats: CgroupStats

    /// Makes an exit record.
    public init(status: Status, oomKilled: Bool, stats: CgroupStats) {
        self.status = status
        self.oomKilled = oomKilled
        self.stats = stats
    }

    /// The shell-style exit code: the code, or 128 + signal.
    public var exitCode: Int32 {
        switch status {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    /// Decodes a raw waitpid status.
    static func status(fromWait raw: Int32) -> Status {
        let signal = raw & 0x7f
        return signal == 0 ? .exited((raw >> 8) & 0xff) : .signaled(signal)
    }
}
