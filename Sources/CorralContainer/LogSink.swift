#if canImport(Glibc)
    import Glibc
#endif

/// A log file with a size cap: past `maxBytes` it is renamed to `<path>.1`
/// (replacing an older one) and a fresh file is started.
final class LogSink {
    let path: String
    let maxBytes: Int
    /// Also copy every byte here (the terminal of a foreground run), if set.
    let echoFD: Int32?
    private var fd: Int32
    private var size: Int

    init(path: String, maxBytes: Int, echoFD: Int32?) throws {
        self.path = path
        self.maxBytes = maxBytes
        self.echoFD = echoFD
        fd = try ContainerSyscall.open(path, O_WRONLY | O_CREAT | O_APPEND)
        var info = stat()
        size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Appends `bytes`, rotating whenever the file reaches the cap (no file exceeds it).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if size >= maxBytes { try rotate() }
            let count = min(bytes.count - offset, maxBytes - size)
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
            try ContainerSyscall.writeAll(fd, piece, stage: "write(\(path))")
            size += count
            offset += count
        }
        if let echoFD {
            // The terminal going away must not stop the container's logging.
            try? ContainerSyscall.writeAll(echoFD, bytes, stage: "write(echo)")
        }
    }

    /// Appends `bytes`, or drops them when they cannot be written (ENOSPC on a full disk, EIO,
    /// ...): whoever supervises a container must not stop over its output. A later write is
    /// tried again, so logging resumes once there is room.
    func writeOrDrop(_ bytes: UnsafeRawBufferPointer) {
        do {
            try write(bytes)
        } catch {
            if fd < 0 { fd = (try? ContainerSyscall.open(path, O_WRONLY | O_CREAT | O_APPEND)) ?? -1 }
        }
    }

    private func rotate() throws {
        ContainerSyscall.close(fd)
        fd = -1
        try ContainerSyscall.rename(path, path + ".1")
        fd = try ContainerSyscall.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        size = 0
    }

    func close() {
        ContainerSyscall.close(fd)
        fd = -1
    }

    deinit { close() }
}
