#if canImport(Glibc)
    import Glibc
#endif

/// Recursive removal without Foundation (it runs on every container teardown).
enum FileTree {
    /// rm -rf `path`; a missing path is fine. Does not cross into other mounts' contents
    /// it cannot remove: it reports the first failure with its stage.
    static func remove(_ path: String) throws {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return }
            throw ContainerError.system(.rootfs, "lstat(\(path))", errno: errno)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            // The overlay work dir is created mode 000; root can still list it.
            guard let directory = opendir(path) else {
                throw ContainerError.system(.rootfs, "opendir(\(path))", errno: errno)
            }
            var children: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != "." && name != ".." { children.append(name) }
            }
            closedir(directory)
            for child in children { try remove("\(path)/\(child)") }
            if Glibc.rmdir(path) != 0 && errno != ENOENT {
                throw ContainerError.system(.rootfs, "rmdir(\(path))", errno: errno)
            }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw ContainerError.system(.rootfs, "unlink(\(path))", errno: errno)
        }
    }
}
