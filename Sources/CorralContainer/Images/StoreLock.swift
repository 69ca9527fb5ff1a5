import Glibc

/// An exclusive `flock` on the store's lock file, held by writers (import, remove, garbage collection).
enum StoreLock {
    /// Runs `body` while holding an exclusive lock on `path`, creating the file if needed.
    static func withExclusive<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let descriptor = try Syscall.retrying("open lock file", path) {
            open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        }
        defer { close(descriptor) }
        try Syscall.retrying("flock", path) { flock(descriptor, LOCK_EX) }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
