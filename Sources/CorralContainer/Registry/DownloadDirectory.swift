import Glibc

/// One pull's download directory, `<store>/downloads/pull-XXXXXX`: outside `tmp/` (which a
/// concurrent writer's garbage collection empties) and held under an `flock` while the pull
/// runs, so that garbage collection removes only those of pulls that died.
final class DownloadDirectory {
    /// The directory.
    let path: String
    private var descriptor: Int32

    /// Creates and locks a fresh directory under `parent`.
    init(in parent: String) throws {
        try Syscall.makeDirectories(parent)
        var template = Array((parent + "/pull-XXXXXX").utf8CString)
        let created: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        guard let created else { throw ContainerError.errno("mkdtemp", parent) }
        path = created
        descriptor = try Syscall.retrying("open", created) { open(created, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        try Syscall.retrying("flock", created) { flock(descriptor, LOCK_EX) }
    }

    /// Removes the directory and drops its lock.
    func remove() {
        guard descriptor >= 0 else { return }
        try? Syscall.removeTree(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { remove() }

    /// Removes the directories under `parent` whose pull is gone (nobody holds their lock).
    static func removeAbandoned(in parent: String) throws {
        guard try Syscall.lstatIfExists(parent) != nil else { return }
        for name in try Syscall.listDirectory(parent) {
            let path = parent + "/" + name
            let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else {
                try Syscall.removeTree(path)  // not a directory: no pull made it
                continue
            }
            defer { close(descriptor) }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { try Syscall.removeTree(path) }
        }
    }
}
