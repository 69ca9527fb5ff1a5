import CCorralLauncher
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The agent's runtime directory: where its containers' state lives (records, overlay
/// directories, mount points). It is a tmpfs, as runc keeps its state in `/run/runc` and
/// Mesos in `--runtime_dir`: the state of a container lasts as long as the container can,
/// until the machine restarts, and creating and removing it costs no disk I/O.
public enum RuntimeDirectory {
    /// How `prepare` found or made the directory.
    public enum Preparation: Sendable, Equatable {
        /// It was on a tmpfs already (the agent's own from before a restart, or `/run`).
        case tmpfs
        /// The agent mounted a tmpfs on it.
        case mounted
        /// A tmpfs could not be mounted; the directory is used as it is (the reason says why).
        case plain(reason: String)
    }

    /// `<workDirectory>/runtime`: an agent's runtime directory when none is given.
    public static func defaultPath(workDirectory: String) -> String { "\(workDirectory)/runtime" }

    /// `statfs` f_type of a tmpfs.
    static let tmpfsMagic: Int = 0x0102_1994

    /// Creates `path` and mounts a tmpfs on it unless it is on one already. A machine where
    /// mounting is not allowed keeps a plain directory and says so.
    public static func prepare(_ path: String) throws -> Preparation {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ContainerError(.io, stage: "create the runtime directory \(path)", cause: "\(error)")
        }
        if isTmpfs(path) { return .tmpfs }
        if mount("corral-runtime", path, "tmpfs", UInt(MS_NOSUID | MS_NODEV), "mode=0755") == 0 { return .mounted }
        return .plain(reason: "mount a tmpfs on \(path): \(String(cString: strerror(errno)))")
    }

    /// Whether `path` is on a tmpfs.
    public static func isTmpfs(_ path: String) -> Bool {
        corral_filesystem_type(path) == tmpfsMagic
    }

    /// Unmounts the tmpfs the agent mounted on `path` (lazily, so an open file does not keep
    /// it); a directory that is no tmpfs mount point is left alone. Returns what went wrong.
    public static func release(_ path: String) -> String? {
        guard isTmpfs(path), MountTable.isMountPoint(path) else { return nil }
        if umount2(path, Int32(MNT_DETACH)) != 0 {
            return "unmount the runtime directory \(path): \(String(cString: strerror(errno)))"
        }
        return nil
    }
}
