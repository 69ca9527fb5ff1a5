import Foundation

/// What `/files/browse` and `/files/read` answer, in Mesos's JSON shapes, for paths that
/// `SandboxFiles` resolves (so never outside a sandbox).
public enum SandboxFileReader {
    /// One directory entry of `/files/browse`.
    public struct Entry: Codable, Sendable, Equatable {
        public var path: String
        public var nlink: Int
        public var size: Int
        /// Seconds since the epoch.
        public var mtime: Double
        /// As `ls -l` shows it, e.g. `-rw-r--r--`.
        public var mode: String
        public var uid: String
        public var gid: String
    }

    /// A chunk of `/files/read`: `data` from `offset`.
    public struct Chunk: Codable, Sendable, Equatable {
        public var data: String
        public var offset: Int
    }

    /// Mesos caps one read at 16 pages.
    public static let maximumReadBytes = 16 * 4_096

    /// The entries of the directory at `path`, each named by `path` and its own name.
    public static func browse(_ files: SandboxFiles, path: String) throws(FilesError) -> [Entry] {
        let opened = try files.open(path)
        guard opened.isDirectory else { throw FilesError(.notFound, "\"\(path)\" is not a directory") }
        // Listed through the open descriptor: what was checked is what is listed.
        let directory = opened.descriptorPath
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw FilesError(.notFound, "cannot list \"\(path)\": \(error.localizedDescription)")
        }
        let base = SandboxFiles.normalized(path)
        return withExtendedLifetime(opened) { names.sorted().compactMap { name in
            var info = stat()
            guard lstat(directory + "/" + name, &info) == 0 else { return nil }
            return Entry(
                path: (base == "/" ? "" : base) + "/" + name, nlink: Int(info.st_nlink), size: Int(info.st_size),
                mtime: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9, mode: modeString(info.st_mode),
                uid: userName(info.st_uid), gid: groupName(info.st_gid))
        } }
    }

    /// Bytes of a file from an offset, and the file's size (what the v1 `READ_FILE` answers).
    public struct Bytes: Sendable, Equatable {
        /// The bytes read, as they are in the file.
        public var data: [UInt8]
        /// Where they start in the file.
        public var offset: Int
        /// The whole file's size.
        public var size: Int
    }

    /// Up to `length` bytes (at most `maximumReadBytes`) of the file at `path` from `offset`.
    /// An offset of -1 asks only for the size: the answer is empty data at the file's end.
    public static func read(_ files: SandboxFiles, path: String, offset: Int, length: Int?) throws(FilesError) -> Chunk {
        let bytes = try readBytes(files, path: path, offset: offset, length: length)
        return Chunk(data: String(decoding: bytes.data, as: UTF8.self), offset: bytes.offset)
    }

    /// As `read`, with the bytes as they are and the file's size.
    public static func readBytes(_ files: SandboxFiles, path: String, offset: Int, length: Int?) throws(FilesError) -> Bytes {
        let opened = try files.open(path)
        guard !opened.isDirectory else { throw FilesError(.badRequest, "\"\(path)\" is a directory; browse it instead") }
        guard offset >= -1 else { throw FilesError(.badRequest, "offset \(offset) is negative; use -1 for the file's size") }
        if let length, length < 0 { throw FilesError(.badRequest, "length \(length) is negative") }
        let size = opened.size
        if offset == -1 { return Bytes(data: [], offset: size, size: size) }
        let start = min(offset, size)
        let count = min(length ?? maximumReadBytes, maximumReadBytes, size - start)
        return Bytes(data: count > 0 ? try opened.read(at: start, count: count) : [], offset: start, size: size)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func modeString(_ mode: mode_t) -> String {
        let kind: Character
        switch mode & S_IFMT {
        case S_IFDIR: kind = "d"
        case S_IFLNK: kind = "l"
        case S_IFIFO: kind = "p"
        case S_IFSOCK: kind = "s"
        case S_IFCHR: kind = "c"
        case S_IFBLK: kind = "b"
        default: kind = "-"
        }
        let bits: [(mode_t, Character)] = [
            (S_IRUSR, "r"), (S_IWUSR, "w"), (S_IXUSR, "x"), (S_IRGRP, "r"), (S_IWGRP, "w"), (S_IXGRP, "x"),
            (S_IROTH, "r"), (S_IWOTH, "w"), (S_IXOTH, "x"),
        ]
        return String([kind] + bits.map { mode & $0.0 != 0 ? $0.1 : "-" })
    }

    static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "\(uid)" }
        return String(cString: name)
    }

    static func groupName(_ gid: gid_t) -> String {
        guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "\(gid)" }
        return String(cString: name)
    }
}
