import CCorralLauncher
#if canImport(Glibc)
    import Glibc
#endif

/// The Swift side of the C launcher: turns a spec into a `corral_launch_config`,
/// clones, then waits for exec (the child joins its cgroups itself first).
enum Launcher {
    /// Highest capability number of the running kernel.
    static let capLastCap: Int32 = {
        let text = (try? ContainerSyscall.readFile("/proc/sys/kernel/cap_last_cap")) ?? ""
        return Int32(text.split(separator: "\n").first ?? "") ?? 40
    }()

    /// The file descriptors that become the task's stdin, stdout and stderr (-1: /dev/null).
    struct Stdio {
        var input: Int32 = -1
        var output: Int32 = -1
        var error: Int32 = -1
    }

    /// Launches `spec`, its init joining the cgroups whose `tasks` files are `cgroupTasks`.
    /// `beforeRelease` runs with the init's host pid while it waits in its new namespaces,
    /// before it sets anything up (if it throws, the init exits and the launch fails).
    /// Returns the host pid of the container's init once the task has exec'd.
    static func launch(
        _ spec: LaunchSpec,
        rootfsMount: String?,
        overlayOptions: String?,
        stdio: Stdio,
        cgroupTasks: [String],
        beforeRelease: (pid_t) throws -> Void = { _ in }
    ) throws -> pid_t {
        let strings = CStrings()
        defer { strings.free() }
        let argv = strings.array(spec.arguments)
        let envp = strings.array(spec.environment)
        let tasks = strings.array(cgroupTasks)
        // A hidden directory that does not exist (yet) has nothing to hide.
        let hidden = strings.array(spec.security.hiddenPaths.filter { ContainerSyscall.exists($0) })
        let userNamespace = try openUserNamespace(spec)
        defer { if userNamespace >= 0 { close(userNamespace) } }
        let idmapped = strings.array(userNamespace >= 0 ? idmapPaths(spec, rootfsMount: rootfsMount) : [])
        let path = spec.environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
        var groups = spec.user.additionalGroups.map { gid_t($0) }
        var limits = spec.resourceLimits.map {
            corral_rlimit(resource: $0.resource.rlimitNumber, soft: $0.soft, hard: $0.hard)
        }
        var mounts = spec.bindMounts.map {
            corral_bind_mount(
                source: strings.optional($0.source),
                target: strings.optional($0.target),
                read_only: $0.readOnly ? 1 : 0
            )
        }
        var handle = corral_launch_handle()
        var failure = corral_launch_error()
        let started = groups.withUnsafeMutableBufferPointer { groupBuffer in
            limits.withUnsafeMutableBufferPointer { limitBuffer in
                mounts.withUnsafeMutableBufferPointer { mountBuffer in
                    var config = corral_launch_config()
                    config.argv = argv
                    config.envp = envp
                    config.path_env = strings.optional(path)
                    config.workdir = strings.optional(spec.workingDirectory)
                    config.hostname = strings.optional(spec.hostname)
                    config.rootfs = strings.optional(rootfsMount)
                    config.overlay_options = strings.optional(overlayOptions)
                    config.new_network = spec.network == .none || spec.network == .bridge ? 1 : 0
                    config.join_pid = spec.joinNamespacesOf ?? 0
                    config.uid = spec.user.uid
                    config.gid = spec.user.gid
                    config.groups = UnsafePointer(groupBuffer.baseAddress)
                    config.group_count = groupBuffer.count
                    config.rlimits = UnsafePointer(limitBuffer.baseAddress)
                    config.rlimit_count = limitBuffer.count
                    config.mounts = UnsafePointer(mountBuffer.baseAddress)
                    config.mount_count = mountBuffer.count
                    config.stdin_fd = stdio.input
                    config.stdout_fd = stdio.output
                    config.stderr_fd = stdio.error
                    config.cap_last_cap = capLastCap
                    config.cgroup_tasks = tasks
                    config.read_only_rootfs = spec.security.readOnlyRootfs ? 1 : 0
                    config.seccomp_unconfined = spec.security.seccomp == .unconfined ? 1 : 0
                    config.hidden_paths = hidden
                    config.userns_fd = userNamespace
                    config.idmap_paths = idmapped
                    return corral_launch_start(&config, &handle, &failure)
                }
            }
        }
        if started != 0 { throw error(from: failure) }
        do {
            try beforeRelease(handle.pid)
        } catch {
            corral_launch_abort(&handle)
            _ = try? ContainerSyscall.waitpid(handle.pid)
            throw error
        }
        if corral_launch_release(&handle, &failure) != 0 {
            _ = try? ContainerSyscall.waitpid(handle.pid)
            throw error(from: failure)
        }
        return handle.pid
    }

    /// A user namespace with the spec's mapping (close it after the launch), or -1 without one.
    private static func openUserNamespace(_ spec: LaunchSpec) throws -> Int32 {
        guard let mapping = spec.security.userNamespace else { return -1 }
        var fd: Int32 = -1
        if corral_userns_open(mapping.hostUID, mapping.hostGID, mapping.size, &fd) != 0 {
            throw ContainerError.system(
                .launch, "user namespace (0 → \(mapping.hostUID):\(mapping.hostGID), \(mapping.size) IDs)", errno: errno)
        }
        return fd
    }

    /// What is idmapped into a user namespace: the image layers. (Not the upper directory: the
    /// overlay writes its work files and copies up as the host's root, which an idmapped mount
    /// would refuse; the upper directory belongs to the range's root instead.)
    private static func idmapPaths(_ spec: LaunchSpec, rootfsMount: String?) -> [String] {
        guard case .overlay(let lowerDirectories) = spec.rootfs, rootfsMount != nil else { return [] }
        return lowerDirectories
    }

    /// A `ContainerError` from the child's report.
    private static func error(from failure: corral_launch_error) -> ContainerError {
        let stage = withUnsafeBytes(of: failure.stage) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return .system(.launch, stage, errno: failure.error_number)
    }
}

/// C strings that live until `free()`; the child gets its own copy at clone.
private final class CStrings {
    private var owned: [UnsafeMutablePointer<CChar>] = []
    private var arrays: [UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>] = []

    func string(_ text: String) -> UnsafeMutablePointer<CChar>? {
        guard let copy = strdup(text) else { return nil }
        owned.append(copy)
        return copy
    }

    func optional(_ text: String?) -> UnsafePointer<CChar>? {
        text.flatMap { string($0) }.map { UnsafePointer($0) }
    }

    /// A NULL-terminated array of strings.
    func array(_ texts: [String]) -> UnsafePointer<UnsafeMutablePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: texts.count + 1)
        for (index, text) in texts.enumerated() { array[index] = string(text) }
        array[texts.count] = nil
        arrays.append(array)
        return UnsafePointer(array)
    }

    func free() {
        owned.forEach { Glibc.free($0) }
        arrays.forEach { $0.deallocate() }
        owned = []
        arrays = []
    }
}

extension ResourceLimit.Resource {
    /// The RLIMIT_* number.
    var rlimitNumber: Int32 {
        let value: __rlimit_resource
        switch self {
        case .core: value = RLIMIT_CORE
        case .cpu: value = RLIMIT_CPU
        case .data: value = RLIMIT_DATA
        case .fileSize: value = RLIMIT_FSIZE
        case .openFiles: value = RLIMIT_NOFILE
        case .processes: value = __rlimit_resource(rawValue: 6)  // RLIMIT_NPROC
        case .stack: value = RLIMIT_STACK
        case .addressSpace: value = RLIMIT_AS
        }
        return Int32(value.rawValue)
    }
}
