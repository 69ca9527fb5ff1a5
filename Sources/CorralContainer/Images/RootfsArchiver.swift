import Glibc

/// Writes the contents of a directory tree into a tar, without following symlinks: files, dirs,
/// symlinks, hardlinks (by inode), devices and fifos, with modes, ownership and mtimes. Sockets are skipped.
struct RootfsArchiver {
    /// The directory whose contents become the archive's members.
    let root: String
    /// Whether `root` is an overlayfs upper directory, whose deletions become OCI whiteouts: a
    /// 0/0 character device (a deleted file) becomes `.wh.<name>`, and a directory marked
    /// opaque (`trusted.overlay.opaque=y`, its lower contents hidden) gets `.wh..wh..opq`.
    var overlayWhiteouts = false

    private struct Inode: Hashable {
        var device: UInt64
        var number: UInt64
    }

    /// Appends `./` (so the root keeps its mode, owner and mtime), then every member under `root`,
    /// parents before children, names sorted.
    func archive(into writer: TarWriter) throws {
        guard let info = try Syscall.lstatIfExists(root) else {
            throw ContainerError.errno("lstat", root, ENOENT)
        }
        try writer.append(
            TarEntry(
                path: "./",
                kind: .directory,
                mode: UInt32(info.st_mode & 0o7777),
                uid: info.st_uid,
                gid: info.st_gid,
                modificationTimeSeconds: Int64(info.st_mtim.tv_sec)
            )
        )
        var seen: [Inode: String] = [:]
        try walk("", writer, &seen)
    }

    private func walk(_ relative: String, _ writer: TarWriter, _ seen: inout [Inode: String]) throws {
        let directory = relative.isEmpty ? root : root + "/" + relative
        for name in try Syscall.listDirectory(directory) {
            let member = relative.isEmpty ? name : relative + "/" + name
            let path = root + "/" + member
            guard let info = try Syscall.lstatIfExists(path) else { continue }
            var entry = TarEntry(
                path: member,
                kind: .regular,
                mode: UInt32(info.st_mode & 0o7777),
                uid: info.st_uid,
                gid: info.st_gid,
                modificationTimeSeconds: Int64(info.st_mtim.tv_sec)
            )
            let type = Syscall.type(info.st_mode)
            let inode = Inode(device: UInt64(info.st_dev), number: UInt64(info.st_ino))
            if type != S_IFDIR, info.st_nlink > 1, let first = seen[inode] {
                entry.kind = .hardlink(target: first)
                try writer.append(entry)
                continue
            }
            if type != S_IFDIR && info.st_nlink > 1 { seen[inode] = member }
            switch type {
            case S_IFREG:
                entry.size = Int64(info.st_size)
                try writer.append(entry, content: try FileSource(path: path, noFollow: true))
            case S_IFDIR:
                entry.kind = .directory
                try writer.append(entry)
                if overlayWhiteouts, try Syscall.extendedAttribute(path, "trusted.overlay.opaque") == Array("y".utf8) {
                    try writer.append(TarEntry(path: member + "/.wh..wh..opq", kind: .regular, mode: 0o644))
                }
                try walk(member, writer, &seen)
            case S_IFLNK:
                entry.kind = .symlink(target: try RootfsArchiver.readLink(path))
                try writer.append(entry)
            case S_IFCHR, S_IFBLK:
                let (major, minor) = RootfsArchiver.split(UInt64(info.st_rdev))
                if overlayWhiteouts, type == S_IFCHR, major == 0, minor == 0 {
                    let parent = relative.isEmpty ? "" : relative + "/"
                    try writer.append(TarEntry(path: parent + ".wh." + name, kind: .regular, mode: 0o644))
                    continue
                }
                entry.kind =
                    type == S_IFCHR
                    ? .characterDevice(major: major, minor: minor) : .blockDevice(major: major, minor: minor)
                try writer.append(entry)
            case S_IFIFO:
                entry.kind = .fifo
                try writer.append(entry)
            default:
                continue  // sockets have no tar form
            }
        }
    }

    /// The target of the symlink at `path`.
    static func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let capacity = buffer.count
        let count = try Syscall.retrying("readlink", path) { readlink(path, &buffer, capacity) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// glibc's `major`/`minor` decoding of a device number.
    static func split(_ device: UInt64) -> (UInt32, UInt32) {
        let major = ((device >> 32) & 0xffff_f000) | ((device >> 8) & 0xfff)
        let minor = ((device >> 12) & 0xffff_ff00) | (device & 0xff)
        return (UInt32(truncatingIfNeeded: major), UInt32(truncatingIfNeeded: minor))
    }
}
