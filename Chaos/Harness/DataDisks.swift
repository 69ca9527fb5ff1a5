import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Size-limited tmpfs mounts (source name `corral-chaos-disk`) on the masters' data
/// directories, for `disk-full` faults: `fill` takes every free byte of one with a filler
/// file, `free` removes it, `unmount` keeps what the masters wrote (copied back into the
/// report) and removes the mounts.
public struct DataDisks: Sendable {
    /// The size of each mount.
    public static let megabytes = 64
    /// What `mount` lists as the source, so leftovers are found with `mount | grep corral-chaos`.
    public static let source = "corral-chaos-disk"
    static let fillerName = "chaos-disk-filler"

    public let paths: [String]

    /// Mounts an empty tmpfs of `megabytes` on each of `paths` (made if missing; each must be
    /// empty). A failure unmounts what was mounted.
    public static func mount(_ paths: [String], megabytes: Int = megabytes) throws(HarnessFailure) -> DataDisks {
        var mounted: [String] = []
        for path in paths {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                DataDisks(paths: mounted).unmount(keepingContents: false)
                throw HarnessFailure("cannot make the data directory \(path): \(error)")
            }
            guard Glibc.mount(source, path, "tmpfs", 0, "size=\(megabytes)m,mode=0755") == 0 else {
                let reason = String(cString: strerror(errno))
                DataDisks(paths: mounted).unmount(keepingContents: false)
                throw HarnessFailure("cannot mount a \(megabytes) MiB tmpfs on \(path) for a disk-full fault (root is needed): \(reason)")
            }
            mounted.append(path)
        }
        return DataDisks(paths: mounted)
    }

    /// Takes every free byte of the mount on `path` with a filler file; returns its size.
    @discardableResult
    public func fill(_ path: String) throws(HarnessFailure) -> Int {
        let filler = "\(path)/\(Self.fillerName)"
        let fd = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HarnessFailure("cannot create \(filler): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var size = 0
        // Whole mebibytes while they fit, then pages: the mount ends with no free page.
        for chunk in [1 << 20, 4096] {
            var rc: Int32 = 0
            repeat {
                rc = posix_fallocate(fd, off_t(size), off_t(chunk))
                if rc == 0 { size += chunk }
            } while rc == 0
            guard rc == ENOSPC else {
                throw HarnessFailure("cannot fill \(path) (posix_fallocate): \(String(cString: strerror(rc)))")
            }
        }
        return size
    }

    /// Removes the filler from the mount on `path`.
    public func free(_ path: String) {
        unlink("\(path)/\(Self.fillerName)")
    }

    /// Unmounts every mount; with `keepingContents`, what the masters wrote (not the filler)
    /// is copied out first and put back in the directory the mount covered.
    public func unmount(keepingContents: Bool) {
        let manager = FileManager.default
        for path in paths {
            free(path)
            let saved = path + ".saved"
            let keep = keepingContents && (try? manager.copyItem(atPath: path, toPath: saved)) != nil
            if umount2(path, 0) != 0 { umount2(path, Int32(MNT_DETACH)) }
            if keep {
                try? manager.removeItem(atPath: path)
                try? manager.moveItem(atPath: saved, toPath: path)
            }
        }
    }

    /// The free bytes of the mount on `path`.
    public func freeBytes(_ path: String) -> Int {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return 0 }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }
}
