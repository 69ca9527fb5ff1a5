import CorralContainer
import CorralModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a persistent volume's data lives on the agent, and how the agent keeps the set of
/// volume directories equal to what the registry holds.
///
/// A volume is `<work-dir>/volumes/roles/<role>/<id>` (a `/` in a hierarchical role written
/// `%2F`, a `%` as `%25`). It outlives its tasks and the agent's restarts; the agent deletes
/// it only when the leader's VOLUMES list no longer names it (DESTROY) and no live task
/// mounts it.
enum PersistentVolumes {
    /// Why a task's volumes cannot be mounted.
    struct Problem: Error {
        var why: String
        init(_ why: String) { self.why = why }
    }

    /// The directory that holds every role's volumes.
    static func root(workDirectory: String) -> String { "\(workDirectory)/volumes/roles" }

    /// The directory of `volume` (nil when it is no volume or its ID cannot name a directory).
    static func directory(of volume: Resource, workDirectory: String) -> String? {
        guard let id = volume.persistenceID, Resource.namesAVolumeDirectory(id), let role = volume.reservationRole else { return nil }
        return "\(root(workDirectory: workDirectory))/\(roleDirectory(role))/\(id)"
    }

    /// A role as one directory name.
    static func roleDirectory(_ role: String) -> String {
        role.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
    }

    /// The bind mounts of a task's volumes: each volume's directory at its `container_path`,
    /// relative to the sandbox (`inside`: where the task sees its sandbox) or, in a container
    /// with its own image, absolute; read-only when its mode is RO.
    static func mounts(of resources: [Resource], inside: String, hasImage: Bool, workDirectory: String) -> Result<[BindMount], Problem> {
        var mounts: [BindMount] = []
        for volume in Resources(resources).volumes {
            guard let source = directory(of: volume, workDirectory: workDirectory), let path = volume.disk?.volume?.containerPath, !path.isEmpty
            else {
                return .failure(Problem("volume \(volume.persistenceID ?? "?") has no usable ID, role or container_path"))
            }
            if Resource.climbsOut(path) {
                return .failure(Problem("volume \(volume.persistenceID ?? "?"): container_path '\(path)' must not contain '..'"))
            }
            if path.hasPrefix("/") && !hasImage {
                return .failure(
                    Problem("volume \(volume.persistenceID ?? "?"): an absolute container_path ('\(path)') needs a container image; give a path relative to the sandbox"))
            }
            let target = path.hasPrefix("/") ? path : "\(inside)/\(path)"
            mounts.append(BindMount(source: source, target: target, readOnly: volume.disk?.volume?.mode == .readOnly))
        }
        return .success(mounts)
    }

    /// Makes each volume mount's directory if it is new (owned by the task's user), and, for
    /// a task on the host's root filesystem, the mount point in its sandbox.
    static func prepare(_ mounts: [BindMount], hostRootfs: Bool, user: UserSpec) throws {
        let files = FileManager.default
        for mount in mounts {
            if !files.fileExists(atPath: mount.source) {
                try files.createDirectory(atPath: mount.source, withIntermediateDirectories: true)
                if user != .root, chown(mount.source, user.uid, user.gid) != 0 {
                    throw ContainerError(.io, stage: "chown the volume \(mount.source)", cause: String(cString: strerror(errno)))
                }
            }
            if hostRootfs { try files.createDirectory(atPath: mount.target, withIntermediateDirectories: true) }
        }
    }

    /// Makes the directory of every listed volume, and deletes every volume directory that is
    /// neither listed nor used by a live task (its volume was destroyed). Returns what it
    /// deleted.
    static func sync(listed: [Resource], inUse: [Resource], workDirectory: String) throws -> [String] {
        let files = FileManager.default
        let keep = Set((listed + inUse).compactMap { directory(of: $0, workDirectory: workDirectory) })
        for path in listed.compactMap({ directory(of: $0, workDirectory: workDirectory) }) where !files.fileExists(atPath: path) {
            try files.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let rootPath = root(workDirectory: workDirectory)
        var deleted: [String] = []
        for role in (try? files.contentsOfDirectory(atPath: rootPath)) ?? [] {
            for id in (try? files.contentsOfDirectory(atPath: "\(rootPath)/\(role)")) ?? [] {
                let path = "\(rootPath)/\(role)/\(id)"
                guard !keep.contains(path) else { continue }
                try files.removeItem(atPath: path)
                deleted.append(path)
            }
        }
        return deleted.sorted()
    }

    /// The bytes a directory tree takes on disk (allocated blocks, as `du` counts them),
    /// symbolic links not followed; what cannot be read counts as nothing.
    static func usedBytes(_ path: String) -> Int64 {
        var total: Int64 = 0
        var pending = [path]
        while let next = pending.popLast() {
            var info = stat()
            guard lstat(next, &info) == 0 else { continue }
            total += Int64(info.st_blocks) * 512
            guard info.st_mode & S_IFMT == S_IFDIR, let entries = try? FileManager.default.contentsOfDirectory(atPath: next) else { continue }
            pending += entries.map { "\(next)/\($0)" }
        }
        return total
    }

    /// What a persistent volume takes on disk, against its size: a `DiskStatistics` of
    /// GET_CONTAINERS.
    struct Usage: Sendable, Hashable {
        var volume: Resource
        var limitBytes: Int64
        var usedBytes: Int64

        /// Why the task must end, when the volume outgrew its size.
        var overLimit: String? {
            guard usedBytes > limitBytes else { return nil }
            return "Disk usage (\(usedBytes) bytes) of persistent volume \(volume.persistenceID ?? "") exceeds its size (\(limitBytes) bytes)"
        }
    }

    /// Measures each persistent volume of `resources` (`usedBytes` measures a directory).
    static func usage(_ resources: [Resource], workDirectory: String, usedBytes: (String) -> Int64 = usedBytes) -> [Usage] {
        Resources(resources).volumes.compactMap { volume -> Usage? in
            guard let path = directory(of: volume, workDirectory: workDirectory), let size = volume.scalar else { return nil }
            return Usage(volume: volume, limitBytes: Int64(size.value * 1_048_576), usedBytes: usedBytes(path))
        }
    }
}
