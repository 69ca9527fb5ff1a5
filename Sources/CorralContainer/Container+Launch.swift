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
    /// The bridge the container has an address on, with `.bridge` networking.
    let bridge: BridgeNetwork?
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
        var bridge: BridgeNetwork?
        var launched = spec
        var lease: BridgeNetwork.Lease?
        do {
            try ContainerSyscall.mkdirs(paths.directory, code: .rootfs)
            if case .overlay(let lowerDirectories) = spec.rootfs {
                overlay = OverlayRootfs(paths: paths, lowerDirectories: lowerDirectories, keepsUpper: keepsUpperDirectory)
                options = try overlay?.prepare()
                if let mapping = spec.security.userNamespace, chown(paths.upper, mapping.hostUID, mapping.hostGID) != 0 {
                    throw ContainerError.system(.rootfs, "chown(\(paths.upper) to the user namespace's root)", errno: errno)
                }
            }
            if spec.network == .bridge {
                let network = try self.bridge ?? BridgeNetwork.standard(root: paths.root)
                bridge = network
                let leased = try network.lease(containerID: spec.id, ports: spec.portMappings)
                lease = leased
                var lowerDirectories: [String]?
                if case .overlay(let lower) = spec.rootfs { lowerDirectories = lower }
                launched.bindMounts = try network.nameFiles(
                    for: leased, hostname: spec.hostname, directory: paths.directory, lowerDirectories: lowerDirectories)
                    + spec.bindMounts
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
                launched,
                rootfsMount: overlay == nil ? nil : paths.rootfs,
                overlayOptions: options,
                stdio: Launcher.Stdio(input: -1, output: output.write, error: errors.write),
                cgroupTasks: created.tasksFiles,
                beforeRelease: { pid in
                    if let bridge, let lease { try bridge.attach(lease, pid: pid) }
                }
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
                stderrRead: errors.read,
                bridge: bridge
            )
        } catch {
            fds.forEach { ContainerSyscall.close($0) }
            if let cgroup {
                try? cgroup.killAll()
                try? cgroup.remove()
            }
            try? overlay?.remove()
            try? bridge?.release(containerID: spec.id)
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
        do { try running.bridge?.release(containerID: spec.id) } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }
}
