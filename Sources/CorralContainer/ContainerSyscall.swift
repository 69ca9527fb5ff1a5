import CCorralLauncher
#if canImport(Glibc)
    import Glibc
#endif

/// Each system call the launch path uses, wrapped once: retries on EINTR and
/// throws a `ContainerError` naming the stage.
enum ContainerSyscall {
    // MARK: - Files

    /// open(2).
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644, code: ContainerError.Code = .io)
        throws -> Int32
    {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw ContainerError.system(code, "open(\(path))", errno: errno) }
        }
    }

    /// close(2); errors other than EBADF are not actionable after close.
    static func close(_ fd: Int32) {
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    /// read(2) into `buffer`; returns the byte count (0 at EOF), or nil for EAGAIN.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, stage: String) throws -> Int? {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EAGAIN { return nil }
            if errno != EINTR { throw ContainerError.system(.io, stage, errno: errno) }
        }
    }

    /// write(2) until every byte is written.
    static func writeAll(
        _ fd: Int32,
        _ bytes: UnsafeRawBufferPointer,
        stage: String,
        code: ContainerError.Code = .io
    )
        throws
    {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno != EINTR {
                throw ContainerError.system(code, stage, errno: errno)
            }
        }
    }

    /// Reads a whole (small) file as UTF-8 text.
    static func readFile(_ path: String, code: ContainerError.Code = .io) throws -> String {
        String(decoding: try readBytes(path, code: code), as: UTF8.self)
    }

    /// Reads a whole (small) file.
    static func readBytes(_ path: String, code: ContainerError.Code = .io) throws -> [UInt8] {
        let fd = try open(path, O_RDONLY, code: code)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(fd, into: $0, stage: "read(\(path))") } ?? 0
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Writes `text` to an existing file (cgroup control files) or creates it.
    static func writeFile(
        _ path: String,
        _ text: String,
        code: ContainerError.Code = .io,
        create: Bool = false
    ) throws {
        let flags = create ? (O_WRONLY | O_CREAT | O_TRUNC) : O_WRONLY
        let fd = try open(path, flags, code: code)
        defer { close(fd) }
        var text = text
        try text.withUTF8 {
            try writeAll(fd, UnsafeRawBufferPointer($0), stage: "write(\(path))", code: code)
        }
    }

    /// mkdir(2); an existing directory is fine.
    static func mkdir(_ path: String, mode: mode_t = 0o755, code: ContainerError.Code) throws {
        if Glibc.mkdir(path, mode) != 0 && errno != EEXIST {
            throw ContainerError.system(code, "mkdir(\(path))", errno: errno)
        }
    }

    /// mkdir -p.
    static func mkdirs(_ path: String, code: ContainerError.Code) throws {
        // Usually the directory or its parent exists: one mkdir, not one per component.
        if Glibc.mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            try mkdir(prefix, code: code)
        }
    }

    /// rmdir(2); returns the errno on failure (ENOENT included).
    static func rmdir(_ path: String) -> Int32 {
        Glibc.rmdir(path) == 0 ? 0 : errno
    }

    /// rename(2).
    static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 {
            throw ContainerError.system(.io, "rename(\(from) → \(to))", errno: errno)
        }
    }

    /// Whether `path` exists (lstat).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    // MARK: - Processes

    /// kill(2); ESRCH (already gone) is not an error.
    static func kill(_ pid: pid_t, _ signal: Int32, code: ContainerError.Code = .supervise) throws {
        if Glibc.kill(pid, signal) != 0 && errno != ESRCH {
            throw ContainerError.system(code, "kill(\(pid), \(signal))", errno: errno)
        }
    }

    /// waitpid(2) for one pid, blocking; returns the raw wait status.
    static func waitpid(_ pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while true {
            if Glibc.waitpid(pid, &status, 0) == pid { return status }
            if errno != EINTR { throw ContainerError.system(.supervise, "waitpid(\(pid))", errno: errno) }
        }
    }

    /// pipe2(2) with O_CLOEXEC.
    static func pipe(stage: String) throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if corral_pipe_cloexec(&fds) != 0 {
            throw ContainerError.system(.io, "pipe2(\(stage))", errno: errno)
        }
        return (fds[0], fds[1])
    }

    /// poll(2); returns the fds with their revents. A timeout of nil waits forever.
    static func poll(_ fds: inout [pollfd], timeoutMilliseconds: Int32?) throws -> Int32 {
        while true {
            let n = Glibc.poll(&fds, nfds_t(fds.count), timeoutMilliseconds ?? -1)
            if n >= 0 { return n }
            if errno != EINTR { throw ContainerError.system(.supervise, "poll", errno: errno) }
        }
    }

    /// Sets O_NONBLOCK on `fd`.
    static func setNonBlocking(_ fd: Int32) throws {
        let flags = fcntl(fd, F_GETFL)
        if flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 {
            throw ContainerError.system(.io, "fcntl(O_NONBLOCK)", errno: errno)
        }
    }
}
