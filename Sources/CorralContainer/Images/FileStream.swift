import Glibc

/// Reads a file through a descriptor it owns; closes it on deinit.
final class FileSource: ByteSource {
    private let descriptor: Int32
    private let path: String

    /// Opens `path` for reading, not following a final symlink when `noFollow` is set.
    init(path: String, noFollow: Bool = false) throws {
        let flags = O_RDONLY | O_CLOEXEC | (noFollow ? O_NOFOLLOW : 0)
        descriptor = try Syscall.retrying("open", path) { open(path, flags) }
        self.path = path
    }

    deinit { close(descriptor) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        return try Syscall.retrying("read", path) { Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
    }
}

/// Writes a new file through a descriptor it owns; `close()` syncs and closes it.
public final class FileSink: ByteSink {
    private var descriptor: Int32
    private let path: String

    /// Creates `path` (which must not exist) with `mode`.
    public init(creating path: String, mode: mode_t = 0o644) throws {
        descriptor = try Syscall.retrying("create", path) {
            open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        }
        self.path = path
    }

    deinit { if descriptor >= 0 { Glibc.close(descriptor) } }

    /// The descriptor, for metadata calls such as `fchown`.
    public var fileDescriptor: Int32 { descriptor }

    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < buffer.count {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
            offset += try Syscall.retrying("write", path) {
                Glibc.write(descriptor, rest.baseAddress, rest.count)
            }
        }
    }

    /// Flushes the file to disk when `sync` is set, then closes it.
    public func close(sync: Bool = true) throws {
        guard descriptor >= 0 else { return }
        if sync { _ = try Syscall.retrying("fsync", path) { fsync(descriptor) } }
        let result = Glibc.close(descriptor)
        descriptor = -1
        if result != 0 { throw ContainerError.errno("close", path) }
    }
}

/// Reads a byte range of an open file with `pread`, so several ranges of one file can be read
/// in any order (the members of a zip archive).
final class FileRangeSource: ByteSource {
    private let descriptor: Int32
    private let path: String
    private var offset: Int64
    private var remaining: Int64

    /// Reads `count` bytes of `descriptor` from `offset`; the descriptor stays its owner's.
    init(descriptor: Int32, path: String, offset: Int64, count: Int64) {
        self.descriptor = descriptor
        self.path = path
        self.offset = offset
        remaining = count
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let wanted = Int(min(Int64(buffer.count), remaining))
        guard wanted > 0 else { return 0 }
        let count = try Syscall.retrying("pread", path) { pread(descriptor, buffer.baseAddress, wanted, off_t(offset)) }
        guard count > 0 else { throw ContainerError(.malformed, "\(path) ends early", cause: "a member runs past the end of the file") }
        offset += Int64(count)
        remaining -= Int64(count)
        return count
    }
}
