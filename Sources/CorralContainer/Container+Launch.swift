import CCorralLauncher
#if canImport(Glibc)
    import Glibc
#endif

/// What a running container holds.
struct Running: Sendable {
    let pid: pid_t
    /// pidfd of the init: readable once it has exited.
    let pidfd: Int32
    let cgroup: Cgroup
    let overlay: OverlayRootfs?
    let stdoutRead: Int32
    let stderrRead: Int32
}

// MARK: - Launch and cleanup

extension Container {
    /// Rootfs, cgroups, pipes, clone; undoes what it did on failure.
    func launch() throws -> Running {
        try spec.validate()
        var overlay: OverlayRootfs?
        var options: String?
        var cgroup: Cgroup?
        var fds: [Int32] = []
        do {
            try ContainerSyscall.mkdirs(paths.directory, code: .rootfs)
            if case .overlay(let lowerDirectories) = spec.rootfs {
                overlay = OverlayRootfs(paths: paths, lowerDirectories: lowerDirectories, keepsUpper: keepsUpperDirectory)
                options = try overlay?.prepare()
            }
            let limits = CgroupLimits(
                cpus: spec.cpus,
                memoryLimitBytes: spec.memoryLimitBytes,
                pidsLimit: spec.pidsLimit
            )
            let created = try Cgroup.create(id: spec.id, limits: limits, mountRoot: cgroupMountRoot)
            cgroup = created
            let output = try ContainerSyscall.pipe(stage: "stdout")
            fds += [output.read, output.write]
            let errors = try ContainerSyscall.pipe(stage: "stderr")
            fds += [errors.read, errors.write]
            let pid = try Launcher.launch(
                spec,
                rootfsMount: overlay == nil ? nil : paths.rootfs,
                overlayOptions: options,
                stdio: Launcher.Stdio(input: -1, output: output.write, error: errors.write),
                cgroupTasks: created.tasksFiles
            )
            ContainerSyscall.close(output.write)
            ContainerSyscall.close(errors.write)
            fds = [output.read, errors.read]
            let pidfd = corral_pidfd_open(pid)
            if pidfd < 0 {
                let error = ContainerError.system(.launch, "pidfd_open(\(pid))", errno: errno)
                try? created.killAll()
                _ = try? ContainerSyscall.waitpid(pid)
                throw error
            }
            return Running(
                pid: pid,
                pidfd: pidfd,
                cgroup: created,
                overlay: overlay,
                stdoutRead: output.read,
                stderrRead: errors.read
            )
        } catch {
            fds.forEach { ContainerSyscall.close($0) }
            if let cgroup {
                try? cgroup.killAll()
                try? cgroup.remove()
            }
            try? overlay?.remove()
            throw error
        }
    }

    /// Kills what is left, removes the cgroups and overlay directories, closes fds.
    func cleanUp(_ running: Running) throws {
        ContainerSyscall.close(running.pidfd)
        ContainerSyscall.close(running.stdoutRead)
        ContainerSyscall.close(running.stderrRead)
        var firstError: (any Error)?
        do { try running.cgroup.killAll() } catch { firstError = firstError ?? error }
        do { try running.cgroup.remove() } catch { firstError = firstError ?? error }
        do { try running.overlay?.remove() } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }
}
