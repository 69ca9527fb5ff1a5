import CXattr
import Glibc

/// Writes the members of a tar archive into a directory it owns, refusing any member that would
/// write outside it: absolute paths, `..`, writing through a symlink, hardlinks that leave it.
///
/// In `.layer` mode it converts OCI whiteouts to overlayfs form (`.wh.NAME` becomes a 0/0
/// character device, `.wh..wh..opq` the xattr `trusted.overlay.opaque=y` on its directory) and
/// applies ownership, devices and xattrs. In `.archive` mode (unpacking a tar of an OCI layout)
/// only plain files and directories are written: other members (such as the legacy
/// `<id>/layer.tar` symlinks in a `docker save` archive) are skipped, never created.
struct LayerUnpacker {
    /// What is being unpacked.
    enum Mode { case layer, archive }

    /// The directory being filled; it must exist and be private to this unpacker.
    let root: String
    /// What is being unpacked.
    let mode: Mode
    /// Whether to `lchown` members to their tar ownership (only root may).
    private let applyOwnership = geteuid() == 0

    /// Unpacks into `root`, which must be an existing directory.
    init(root: String, mode: Mode) {
        self.root = root
        self.mode = mode
    }

    /// Applies every member of `reader`, then sets directory modes and times.
    func unpack(_ reader: any MemberReader) throws {
        var directories: [(path: String, entry: TarEntry)] = []
        while let entry = try reader.next() {
            if let directory = try apply(entry, reader) { directories.append(directory) }
        }
        for (path, entry) in directories.reversed() {
            try setOwnership(path, entry)
            try Syscall.retrying("chmod", path) { chmod(path, mode_t(entry.mode)) }
            try setTime(path, entry)
        }
    }

    // MARK: - Members

    /// Applies one member; returns a directory whose metadata must be set at the end.
    private func apply(_ entry: TarEntry, _ reader: any MemberReader) throws -> (path: String, entry: TarEntry)? {
        let components = try LayerUnpacker.components(of: entry.path, member: entry.path)
        guard let name = components.last else {
            return entry.kind == .directory ? (root, entry) : nil
        }
        if mode == .archive && entry.kind != .regular && entry.kind != .directory { return nil }
        let parent = try prepareParent(Array(components.dropLast()), member: entry.path)
        if mode == .layer, name.hasPrefix(".wh.") {
            try applyWhiteout(name: name, parent: parent, member: entry.path)
            return nil
        }
        let path = parent + "/" + name
        if let existing = try Syscall.lstatIfExists(path) {
            if Syscall.type(existing.st_mode) == S_IFDIR && entry.kind == .directory { return (path, entry) }
            try Syscall.removeTree(path)
        }
        switch entry.kind {
        case .regular:
            try writeFile(path, entry, reader)
            return nil
        case .directory:
            try Syscall.retrying("mkdir", path) { mkdir(path, 0o700) }
            return (path, entry)
        case .symlink(let target):
            try Syscall.retrying("symlink", path) { symlink(target, path) }
        case .hardlink(let target):
            let source = try hardlinkSource(target, member: entry.path)
            try Syscall.retrying("link", path) { link(source, path) }
            return nil
        case .characterDevice(let major, let minor):
            try Syscall.retrying("mknod", path) {
                mknod(path, S_IFCHR | mode_t(entry.mode), LayerUnpacker.device(major, minor))
            }
        case .blockDevice(let major, let minor):
            try Syscall.retrying("mknod", path) {
                mknod(path, S_IFBLK | mode_t(entry.mode), LayerUnpacker.device(major, minor))
            }
        case .fifo:
            try Syscall.retrying("mkfifo", path) { mkfifo(path, mode_t(entry.mode)) }
        }
        try setOwnership(path, entry)
        switch entry.kind {
        case .symlink:
            break  // a symlink's own mode means nothing on Linux
        default:
            // mknod and mkfifo apply the umask; set the exact mode after chown (which clears setuid).
            try Syscall.retrying("chmod", path) { chmod(path, mode_t(entry.mode)) }
        }
        try setExtendedAttributes(path, entry)
        try setTime(path, entry)
        return nil
    }

    private func writeFile(_ path: String, _ entry: TarEntry, _ reader: any MemberReader) throws {
        let sink = try FileSink(creating: path, mode: 0o600)
        try reader.copy(to: sink)
        let descriptor = sink.fileDescriptor
        if applyOwnership && mode == .layer {
            try Syscall.retrying("fchown", path) { fchown(descriptor, entry.uid, entry.gid) }
        }
        try Syscall.retrying("fchmod", path) { fchmod(descriptor, mode_t(entry.mode)) }
        try setExtendedAttributes(path, entry)
        try sink.close(sync: false)
        try setTime(path, entry)
    }

    /// `.wh..wh..opq` marks `parent` opaque; `.wh.NAME` hides a lower `NAME`.
    private func applyWhiteout(name: String, parent: String, member: String) throws {
        if name == ".wh..wh..opq" {
            let value: [UInt8] = [UInt8(ascii: "y")]
            try Syscall.retrying("setxattr(trusted.overlay.opaque)", parent) {
                lsetxattr(parent, "trusted.overlay.opaque", value, value.count, 0)
            }
            return
        }
        if name.hasPrefix(".wh..wh.") { return }  // other AUFS metadata, meaningless to overlayfs
        let hidden = String(name.dropFirst(4))
        guard !hidden.isEmpty, hidden != ".", hidden != ".." else {
            throw ContainerError(.unsafePath, "layer whiteout '\(member)' names no file")
        }
        let path = parent + "/" + hidden
        try Syscall.removeTree(path)
        try Syscall.retrying("mknod(whiteout)", path) { mknod(path, S_IFCHR, 0) }
    }

    // MARK: - Path safety

    /// The components of a member path; refuses absolute paths and `..`.
    static func components(of path: String, member: String) throws -> [String] {
        guard !path.hasPrefix("/") else {
            throw ContainerError(.unsafePath, "archive member '\(member)' has an absolute path")
        }
        var components: [String] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) where component != "." {
            guard component != ".." else {
                throw ContainerError(.unsafePath, "archive member '\(member)' leaves its directory with '..'")
            }
            components.append(String(component))
        }
        return components
    }

    /// Makes sure every parent is a real directory inside `root` (creating missing ones), never a symlink.
    private func prepareParent(_ components: [String], member: String) throws -> String {
        var path = root
        for component in components {
            path += "/" + component
            guard let info = try Syscall.lstatIfExists(path) else {
                try Syscall.retrying("mkdir", path) { mkdir(path, 0o755) }
                continue
            }
            switch Syscall.type(info.st_mode) {
            case S_IFDIR: continue
            case S_IFLNK:
                throw ContainerError(
                    .unsafePath,
                    "archive member '\(member)' would be written through symlink '\(component)'"
                )
            default:
                throw ContainerError(
                    .malformed,
                    "archive member '\(member)' has parent '\(component)' that is not a directory"
                )
            }
        }
        return path
    }

    /// The path a hardlink member points at; it must be an existing non-directory inside `root`.
    private func hardlinkSource(_ target: String, member: String) throws -> String {
        let components: [String]
        do {
            components = try LayerUnpacker.components(of: target, member: member)
        } catch {
            throw ContainerError(.unsafePath, "hardlink '\(member)' points outside its layer at '\(target)'")
        }
        var path = root
        for (index, component) in components.enumerated() {
            path += "/" + component
            guard let info = try Syscall.lstatIfExists(path) else {
                throw ContainerError(
                    .unsafePath,
                    "hardlink '\(member)' points at '\(target)', which is not in its layer"
                )
            }
            let type = Syscall.type(info.st_mode)
            if index < components.count - 1 && type != S_IFDIR {
                throw ContainerError(
                    .unsafePath,
                    "hardlink '\(member)' points through non-directory '\(component)'"
                )
            }
            if index == components.count - 1 && type == S_IFDIR {
                throw ContainerError(.unsafePath, "hardlink '\(member)' points at directory '\(target)'")
            }
        }
        guard !components.isEmpty else {
            throw ContainerError(.unsafePath, "hardlink '\(member)' has an empty target")
        }
        return path
    }

    // MARK: - Metadata

    private func setOwnership(_ path: String, _ entry: TarEntry) throws {
        guard applyOwnership && mode == .layer else { return }
        try Syscall.retrying("lchown", path) { lchown(path, entry.uid, entry.gid) }
    }

    private func setTime(_ path: String, _ entry: TarEntry) throws {
        let time = timespec(tv_sec: Int(entry.modificationTimeSeconds), tv_nsec: 0)
        let times = [time, time]
        try Syscall.retrying("utimensat", path) { utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) }
    }

    /// Applies PAX xattrs, except `trusted.*` (overlayfs metadata must come only from whiteouts).
    private func setExtendedAttributes(_ path: String, _ entry: TarEntry) throws {
        guard mode == .layer else { return }
        for (key, value) in entry.extendedAttributes where !key.hasPrefix("trusted.") {
            if lsetxattr(path, key, value, value.count, 0) != 0 && errno != ENOTSUP && errno != EPERM {
                throw ContainerError.errno("setxattr(\(key))", path)
            }
        }
    }

    /// glibc's `makedev` encoding.
    static func device(_ major: UInt32, _ minor: UInt32) -> dev_t {
        let major = UInt64(major)
        let minor = UInt64(minor)
        return dev_t(
            ((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12)
                | (minor & 0xff)
        )
    }
}
