import Glibc

/// Wraps each system call once: retries on EINTR and names the failed stage.
public enum Syscall {
    /// Runs `call` until it does not fail with EINTR; a negative result throws naming `stage` and `path`.
    @discardableResult
    public static func retrying<T: BinaryInteger>(_ stage: String, _ path: String, _ call: () -> T) throws -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw ContainerError.errno(stage, path, code)
        }
    }

    /// `lstat` of `path`, or nil when it does not exist.
    public static func lstatIfExists(_ path: String) throws -> stat? {
        var info = stat()
        if lstat(path, &info) == 0 { return info }
        if errno == ENOENT { return nil }
        throw ContainerError.errno("lstat", path)
    }

    /// `stat` of `path` (following symlinks), or nil when it does not exist.
    public static func statIfExists(_ path: String) throws -> stat? {
        var info = stat()
        if stat(path, &info) == 0 { return info }
        if errno == ENOENT { return nil }
        throw ContainerError.errno("stat", path)
    }

    /// The file type bits of `mode`.
    public static func type(_ mode: mode_t) -> mode_t { mode & S_IFMT }

    /// Creates `path` as a directory with `mode` unless a directory is already there.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        if mkdir(path, mode) == 0 { return }
        let code = errno
        if code == EEXIST, let info = try lstatIfExists(path), type(info.st_mode) == S_IFDIR { return }
        throw ContainerError.errno("mkdir", path, code)
    }

    /// Creates `path` and every missing parent.
    public static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            try makeDirectory(current)
        }
    }

    /// Removes `path` and everything under it, never following symlinks; a missing path is fine.
    public static func removeTree(_ path: String) throws {
        guard let info = try lstatIfExists(path) else { return }
        if type(info.st_mode) == S_IFDIR {
            _ = chmod(path, 0o700)
            for name in try listDirectory(path) { try removeTree(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT { throw ContainerError.errno("rmdir", path) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw ContainerError.errno("unlink", path)
        }
    }

    /// The names in directory `path`, without `.` and `..`, sorted.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw ContainerError.errno("opendir", path) }
        defer { closedir(directory) }
        var names = [String]()
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Renames `from` to `to`, replacing a file at `to`.
    public static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 { throw ContainerError.errno("rename to '\(to)' of", from) }
    }

    /// Flushes the entries of directory `path` (a file created or renamed into it) to disk.
    public static func syncDirectory(_ path: String) throws {
        let descriptor = try retrying("open directory", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(descriptor) }
        try retrying("fsync directory", path) { fsync(descriptor) }
    }

    /// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            let sink = try FileSink(creating: temporary)
            try sink.write(bytes)
            try sink.close()
            try rename(temporary, path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Reads all of the regular file at `path`, refusing more than `limit` bytes.
    public static func readFile(_ path: String, limit: Int = 16 << 20) throws -> [UInt8] {
        try FileSource(path: path).readAll(limit: limit, what: "file '\(path)'")
    }
}
