#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Freeze, kill, remove

extension Cgroup {
    /// How long freezing or emptying a cgroup may take before it is an error.
    static let settleTimeoutNanoseconds: UInt64 = 5_000_000_000

    /// Freezes every task (freezer.state = FROZEN) and waits until the kernel reports FROZEN.
    public func freeze() throws {
        try write("freezer", "freezer.state", "FROZEN")
        try settle("freeze") { try read("freezer", "freezer.state") == "FROZEN" }
    }

    /// Thaws the cgroup.
    public func thaw() throws {
        try write("freezer", "freezer.state", "THAWED")
    }

    /// Freezes, SIGKILLs every task, thaws, and waits until the cgroup is empty. A cgroup that
    /// is removed meanwhile (its container ended and its supervisor cleaned up) is empty too.
    public func killAll() throws {
        guard ContainerSyscall.exists(path("freezer")) else { return }
        do {
            if try pids().isEmpty { return }
            try freeze()
            for pid in try pids() {
                try ContainerSyscall.kill(pid, SIGKILL, code: .cgroup)
            }
            try thaw()
            try settle("empty") { try pids().isEmpty }
        } catch {
            if !ContainerSyscall.exists(path("freezer")) { return }
            throw error
        }
    }

    /// Removes the cgroup from every controller (a missing one is fine).
    public func remove() throws {
        for controller in Cgroup.controllers {
            let directory = path(controller)
            var result = ContainerSyscall.rmdir(directory)
            // A task that just exited can keep a cgroup busy for a moment.
            let started = monotonicNanoseconds()
            while result == EBUSY && monotonicNanoseconds() - started < Cgroup.settleTimeoutNanoseconds {
                usleep(1000)
                result = ContainerSyscall.rmdir(directory)
            }
            if result != 0 && result != ENOENT {
                throw ContainerError.system(.cgroup, "rmdir(\(directory))", errno: result)
            }
        }
    }

    /// The ids of every container cgroup that exists under `corral/` in any controller.
    public static func existingIDs(mountRoot: String = "/sys/fs/cgroup") -> Set<String> {
        var ids = Set<String>()
        for controller in controllers {
            guard let directory = opendir("\(mountRoot)/\(controller)/\(parentName)") else { continue }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if entry.pointee.d_type == DT_DIR && name != "." && name != ".." { ids.insert(name) }
            }
        }
        return ids
    }

    /// Polls kernel state (not another process of ours) until `done` or the timeout.
    private func settle(_ what: String, _ done: () throws -> Bool) throws {
        let started = monotonicNanoseconds()
        while try !done() {
            if monotonicNanoseconds() - started > Cgroup.settleTimeoutNanoseconds {
                throw ContainerError(.cgroup, stage: "\(what)(\(path("freezer")))", cause: "timed out")
            }
            usleep(200)
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
