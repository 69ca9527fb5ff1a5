import CCorralLauncher
#if canImport(Glibc)
    import Glibc
#endif

/// A pid plus its start time (in clock ticks since boot), so a recycled pid is not
/// mistaken for the process that was recorded.
public struct ProcessIdentity: Codable, Sendable, Equatable {
    /// Host pid.
    public var pid: Int32
    /// Field 22 of /proc/<pid>/stat.
    public var startTicks: UInt64

    /// Makes an identity.
    public init(pid: Int32, startTicks: UInt64) {
        self.pid = pid
        self.startTicks = startTicks
    }

    /// The identity of a process, or nil if there is none (or it is a zombie and
    /// `includingZombies` is false).
    public static func of(pid: Int32, includingZombies: Bool = false) -> ProcessIdentity? {
        guard let stat = try? ContainerSyscall.readFile("/proc/\(pid)/stat"),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command: state is field 3, starttime field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, includingZombies || (fields[0] != "Z" && fields[0] != "X"),
            let ticks = UInt64(fields[19])
        else {
            return nil
        }
        return ProcessIdentity(pid: pid, startTicks: ticks)
    }

    /// Whether this very process still runs (same pid, same start time, not a zombie).
    public var isAlive: Bool { ProcessIdentity.of(pid: pid) == self }

    /// A pidfd of this very process (pinned, then checked against the start time), or nil
    /// if it is gone. The caller closes it; it becomes readable when the process exits.
    public func openPidfd() -> Int32? {
        let fd = corral_pidfd_open(pid)
        guard fd >= 0 else { return nil }
        // The pidfd pins the pid: if the identity still matches now, it is the same process.
        guard isAlive else {
            ContainerSyscall.close(fd)
            return nil
        }
        return fd
    }
}
