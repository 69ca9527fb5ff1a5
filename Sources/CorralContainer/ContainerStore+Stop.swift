import CCorralLauncher
import Foundation

// MARK: - Stopping a container another process supervises

extension ContainerStore {
    /// SIGTERM, then after `grace` freeze and SIGKILL the cgroup; waits until the
    /// supervisor has recorded the exit (or cleans up itself if there is none).
    public func stop(_ record: ContainerRecord, grace: Duration) throws -> ContainerRecord {
        let current = try reconciled(record)
        guard case .running(let initProcess, let supervisor) = current.state else { return current }
        if initProcess.isAlive {
            let pidfd = corral_pidfd_open(initProcess.pid)
            if pidfd >= 0 {
                defer { ContainerSyscall.close(pidfd) }
                // The pidfd pins the process: check it is still the recorded one.
                if initProcess.isAlive {
                    try ContainerStopper.stop(pidfd: pidfd, cgroup: Cgroup(id: record.id), grace: grace)
                }
            }
        }
        // Wait for a supervisor in another process to record the exit (it exits right after).
        if supervisor.isAlive && supervisor.pid != getpid() {
            let pidfd = corral_pidfd_open(supervisor.pid)
            if pidfd >= 0 {
                defer { ContainerSyscall.close(pidfd) }
                _ = try ContainerStopper.exited(pidfd, timeoutMilliseconds: 10_000)
            }
        }
        var final = try reconciled(load(id: record.id))
        if !supervisor.isAlive && hasLeftovers(final) {
            // A supervisor that died cleans nothing up (`reconciled` may already have marked
            // the container exited): remove its cgroups, mounts and overlay here.
            try cleanUpLeftovers(of: final)
        }
        if case .running = final.state, !supervisor.isAlive {
            // Supervisor gone without recording: record here.
            final.state = .exited(exitCode: nil, oomKilled: false, finishedAt: Date())
            try save(final)
        }
        return final
    }
}
