import Glibc

/// An image's layers mounted read-write on the host with overlayfs, for the steps that change
/// files without running anything (`COPY`, `ADD`, `WORKDIR`): what they write lands in `upper`,
/// deletions as overlayfs whiteouts, and `upper` becomes the step's layer like a `RUN`'s.
///
/// Paths inside `merged` are resolved with `ScopedPath` (never by the host kernel), so an absolute
/// symlink in the image cannot send a copy to the host's own files. `unmount()` detaches the mount;
/// the builder removes the directory.
struct BuildOverlay {
    /// Holds `upper/`, `work/`, `merged/` (and `empty/`, the lower layer of an image with none).
    let directory: String

    var upper: String { directory + "/upper" }
    var merged: String { directory + "/merged" }
    /// The merged view, as an image's processes see it.
    var rootfs: ScopedPath { ScopedPath(root: merged, refuseEscapes: false) }

    /// Mounts `lowerDirectories` (topmost first) under `directory` (made if missing).
    static func mount(lowerDirectories: [String], directory: String) throws -> BuildOverlay {
        let overlay = BuildOverlay(directory: directory)
        try Syscall.makeDirectory(directory, mode: 0o700)
        var lower = lowerDirectories
        for name in ["upper", "work", "merged"] { try Syscall.makeDirectory(directory + "/" + name) }
        if lower.isEmpty {
            try Syscall.makeDirectory(directory + "/empty")
            lower = [directory + "/empty"]
        }
        // Whole files and plain directories in upper/ (it becomes a layer), whatever the module's defaults.
        let options =
            "lowerdir=\(lower.joined(separator: ":")),upperdir=\(overlay.upper),workdir=\(directory)/work"
            + ",redirect_dir=off,metacopy=off"
        let result = options.withCString { Glibc.mount("overlay", overlay.merged, "overlay", 0, $0) }
        guard result == 0 else { throw ContainerError.errno("mount overlay on", overlay.merged) }
        return overlay
    }

    /// Detaches the overlay.
    func unmount() throws {
        if umount2(merged, Int32(MNT_DETACH)) != 0 && errno != EINVAL && errno != ENOENT {
            throw ContainerError.errno("umount", merged)
        }
    }

    /// Creates `path` (inside the image) and its missing parents as root-owned 0755 directories;
    /// returns its resolved components.
    @discardableResult
    func makeDirectories(_ path: String, owner: UserSpec = .root) throws -> [String] {
        var made: [String] = []
        for component in DockerIgnore.clean(path) {
            made = try rootfs.resolve((made + [component]).joined(separator: "/"))
            let host = rootfs.host(made)
            if let info = try Syscall.lstatIfExists(host) {
                guard Syscall.type(info.st_mode) == S_IFDIR else {
                    throw ContainerError(
                        .invalidArgument,
                        "'/\(made.joined(separator: "/"))' exists in the image and is not a directory"
                    )
                }
                continue
            }
            try Syscall.makeDirectory(host, mode: 0o755)
            try Syscall.retrying("lchown", host) { lchown(host, owner.uid, owner.gid) }
        }
        return made
    }

    /// Whether `path` (inside the image, symlinks followed) is a directory.
    func isDirectory(_ path: String) throws -> Bool {
        let info = try Syscall.lstatIfExists(rootfs.host(try rootfs.resolve(path)))
        return info.map { Syscall.type($0.st_mode) == S_IFDIR } ?? false
    }

    /// Copies one context object to `target` (inside the image; parents must exist): files with
    /// their content, mode and modification time, directories and symlinks; owned by `owner`.
    /// What was at `target` is replaced, unless both are directories.
    func copy(_ entry: BuildContext.Entry, to target: String, owner: UserSpec) throws {
        let components = try rootfs.resolve(target, followLast: false)
        let host = rootfs.host(components)
        let type = Syscall.type(entry.info.st_mode)
        if let existing = try Syscall.lstatIfExists(host) {
            if type == S_IFDIR && Syscall.type(existing.st_mode) == S_IFDIR {
                try Syscall.retrying("lchown", host) { lchown(host, owner.uid, owner.gid) }
                return
            }
            try Syscall.removeTree(host)
        }
        switch type {
        case S_IFREG:
            let sink = try FileSink(creating: host, mode: 0o600)
            try FileSource(path: entry.hostPath, noFollow: true).copy(to: sink)
            let descriptor = sink.fileDescriptor
            try Syscall.retrying("fchown", host) { fchown(descriptor, owner.uid, owner.gid) }
            try Syscall.retrying("fchmod", host) { fchmod(descriptor, entry.info.st_mode & 0o7777) }
            try sink.close(sync: false)
        case S_IFDIR:
            try Syscall.makeDirectory(host, mode: 0o700)
            try Syscall.retrying("lchown", host) { lchown(host, owner.uid, owner.gid) }
            try Syscall.retrying("chmod", host) { chmod(host, entry.info.st_mode & 0o7777) }
        case S_IFLNK:
            let link = try RootfsArchiver.readLink(entry.hostPath)
            try Syscall.retrying("symlink", host) { symlink(link, host) }
            try Syscall.retrying("lchown", host) { lchown(host, owner.uid, owner.gid) }
        default:
            throw ContainerError(
                .invalidArgument,
                "'\(entry.hostPath)' is a device, fifo or socket; COPY copies files, directories and symlinks"
            )
        }
        var times = [entry.info.st_atim, entry.info.st_mtim]
        try Syscall.retrying("utimensat", host) { utimensat(AT_FDCWD, host, &times, AT_SYMLINK_NOFOLLOW) }
    }
}
