import Foundation

/// A file or directory of a sandbox, opened and then checked to be inside its sandbox, so a
/// task that swaps a directory for a symbolic link between the path's check and its opening
/// cannot make the agent read outside (the check is on what was opened, not on the path).
/// The descriptor closes when the value goes.
public final class OpenSandboxFile: Sendable, Equatable {
    /// The open descriptor (read-only, close-on-exec).
    public let descriptor: Int32
    /// The file's real path when it was opened.
    public let path: String
    /// `st_mode` and `st_size` when it was opened.
    public let mode: mode_t
    public let size: Int

    fileprivate init(descriptor: Int32, path: String, info: stat) {
        self.descriptor = descriptor
        self.path = path
        self.mode = info.st_mode
        self.size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// The same open file (identity: two openings of one path are two values).
    public static func == (lhs: OpenSandboxFile, rhs: OpenSandboxFile) -> Bool { lhs === rhs }

    /// Whether it is a directory.
    public var isDirectory: Bool { mode & S_IFMT == S_IFDIR }

    /// A path that names exactly what was opened, for calls that take a path.
    public var descriptorPath: String { "/proc/self/fd/\(descriptor)" }

    /// Up to `count` bytes from `offset` (fewer at the end of the file).
    public func read(at offset: Int, count: Int) throws(FilesError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(0, count))
        var filled = 0
        while filled < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(descriptor, base + filled, buffer.count - filled, off_t(offset + filled))
            }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw FilesError(.notFound, "cannot read \"\(path)\": \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            filled += got
        }
        return Array(bytes.prefix(filled))
    }
}

extension SandboxFiles {
    /// Opens what a client's `path` names, refusing anything but a regular file or a directory
    /// (a FIFO would block the agent) and anything found outside the sandbox once open.
    public func open(_ path: String) throws(FilesError) -> OpenSandboxFile {
        let (file, root) = try resolved(path)
        return try open(resolved: file, root: root, asked: path)
    }

    /// Opens `file`, found under sandbox `root` for the client's `path`, and checks that
    /// what was opened is still there: the path may have changed since it was resolved.
    func open(resolved file: String, root: String, asked path: String) throws(FilesError) -> OpenSandboxFile {
        let descriptor = Glibc.open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            throw FilesError(errno == ELOOP ? .forbidden : .notFound, "cannot open \"\(path)\": \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw FilesError(.notFound, "cannot open \"\(path)\"")
        }
        let opened = OpenSandboxFile(descriptor: descriptor, path: file, info: info)
        guard let real = Self.realPath(opened.descriptorPath), real == root || real.hasPrefix(root == "/" ? "/" : root + "/") else {
            throw FilesError(.forbidden, "\"\(path)\" leads out of its sandbox through a symbolic link")
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFDIR else {
            throw FilesError(.badRequest, "\"\(path)\" is not a regular file or a directory")
        }
        return opened
    }
}
