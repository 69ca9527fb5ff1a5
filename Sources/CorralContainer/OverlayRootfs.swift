import CCorralLauncher
#if canImport(Glibc)
    import Glibc
#endif

/// The per-container side of an overlay rootfs: upper, work and mount point directories.
///
/// The overlay itself is mounted by the launcher inside the container's own mount
/// namespace, so it disappears with the container; this type prepares and removes
/// the directories, and detaches a mount a crashed run may have left in the host.
struct OverlayRootfs: Sendable {
    let paths: ContainerPaths
    let lowerDirectories: [String]
    /// Whether `remove()` leaves upper/ for the caller (a build step turns it into a layer).
    var keepsUpper = false

    /// Creates upper/, work/ and rootfs/ and returns the overlayfs mount options.
    func prepare() throws -> String {
        for directory in lowerDirectories where directory.contains(":") || directory.contains(",") {
            throw ContainerError(
                .rootfs,
                stage: "overlay(lowerdir \(directory))",
                cause: "':' and ',' are not allowed"
            )
        }
        try ContainerSyscall.mkdirs(paths.directory, code: .rootfs)
        for directory in [paths.upper, paths.work, paths.rootfs] {
            try ContainerSyscall.mkdir(directory, code: .rootfs)
        }
        let lower = lowerDirectories.joined(separator: ":")
        // An upper directory that becomes a layer must hold whole files and plain directories:
        // no metadata-only copies or directory redirects, whatever the module's defaults.
        let layerSafe = keepsUpper ? ",redirect_dir=off,metacopy=off" : ""
        return "lowerdir=\(lower),upperdir=\(paths.upper),workdir=\(paths.work)" + layerSafe
    }

    /// Removes upper/ (unless `keepsUpper`), work/ and rootfs/. The overlay was mounted only in
    /// the container's mount namespace; the start-up sweep detaches host leftovers.
    func remove() throws {
        if !keepsUpper { try FileTree.remove(paths.upper) }
        try FileTree.remove(paths.work)
        let result = ContainerSyscall.rmdir(paths.rootfs)
        if result != 0 && result != ENOENT {
            throw ContainerError.system(.rootfs, "rmdir(\(paths.rootfs))", errno: result)
        }
    }
}
