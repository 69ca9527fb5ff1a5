import CCorralLauncher
#if canImport(Glibc)
    import Glibc
#endif

/// Stop as Docker does: SIGTERM, then after a grace period SIGKILL — here to the
/// whole frozen cgroup, so nothing forks away in between.
public enum ContainerStopper {
    /// Stops the container whose init `pidfd` refers to; returns once the init has exited.
    public static func stop(pidfd: Int32, cgroup: Cgroup, grace: Duration) throws {
        if corral_pidfd_send_signal(pidfd, SIGTERM) != 0 {
            if errno == ESRCH { return }
            throw ContainerError.system(.supervise, "pidfd_send_signal(SIGTERM)", errno: errno)
        }
        let graceMilliseconds =
            grace.components.seconds * 1000 + grace.components.attoseconds / 1_000_000_000_000_000
        if try exited(pidfd, timeoutMilliseconds: Int32(clamping: graceMilliseconds)) { return }
        do {
            try cgroup.killAll()
        } catch {
            // The container may have exited and been cleaned up meanwhile.
            if try exited(pidfd, timeoutMilliseconds: 0) { return }
            throw error
        }
        if try !exited(pidfd, timeoutMilliseconds: 10_000) {
            throw ContainerError(
                .supervise,
                stage: "stop(\(cgroup.id))",
                cause: "init still running after SIGKILL"
            )
        }
    }

    /// Whether the process of `pidfd` exits within the timeout.
    static func exited(_ pidfd: Int32, timeoutMilliseconds: Int32) throws -> Bool {
        var fds = [pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)]
        return try ContainerSyscall.poll(&fds, timeoutMilliseconds: timeoutMilliseconds) > 0
    }
}
