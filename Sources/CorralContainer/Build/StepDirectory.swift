import Glibc

/// The directory one build step works in, `<root>/build/<id>/` (a `RUN`'s container state, or a
/// `COPY`'s overlay), held with an `flock` on `<root>/build/<id>.lock` while the step runs.
///
/// The lock file is made and locked before the directory, and removed after it, so a directory
/// whose lock can be taken belongs to a build that died mid-step: `sweep` then kills its
/// container's cgroup (`corral/build-<id>`), detaches its mounts and removes it. Builds sweep
/// when they start, so a killed build leaves nothing behind for longer than the next build.
struct StepDirectory {
    /// `<root>/build/<id>`.
    let path: String
    /// The id, also the step container's (`build-<id>`).
    let id: String
    private let lock: Int32

    /// Makes, locks and creates a new step directory under `parent`.
    init(in parent: String) throws {
        id = ImageBuilder.randomID()
        path = parent + "/" + id
        let lockPath = path + ".lock"
        lock = try Syscall.retrying("open", lockPath) { open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        let descriptor = lock
        do {
            try Syscall.retrying("flock", lockPath) { flock(descriptor, LOCK_EX) }
            try Syscall.makeDirectory(path, mode: 0o700)
        } catch {
            close(descriptor)
            unlink(lockPath)
            throw error
        }
    }

    /// Detaches what is still mounted, removes the directory, then the lock.
    func remove() {
        MountTable.detachAll(under: path)
        try? Syscall.removeTree(path)
        unlink(path + ".lock")
        close(lock)
    }

    /// Cleans up after every step under `parent` whose build is gone (its lock is free).
    static func sweep(_ parent: String) {
        for name in (try? Syscall.listDirectory(parent)) ?? [] {
            let id = name.hasSuffix(".lock") ? String(name.dropLast(5)) : name
            let lockPath = parent + "/" + id + ".lock"
            let descriptor = open(lockPath, O_RDWR | O_CLOEXEC)
            if descriptor >= 0 {
                defer { close(descriptor) }
                guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { continue }  // a live build's
            }
            let cgroup = Cgroup(id: "build-" + id)
            try? cgroup.killAll()
            try? cgroup.remove()
            MountTable.detachAll(under: parent + "/" + id)
            try? Syscall.removeTree(parent + "/" + id)
            unlink(lockPath)
        }
    }
}
