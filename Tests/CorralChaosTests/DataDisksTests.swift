import CorralChaos
import CorralStore
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The tmpfs data disks of `disk-full` faults (they need root, which the chaos harness needs anyway).
@Suite(.serialized) struct DataDisksTests {
    static func mounted(_ path: String) -> Bool {
        let normal = path.replacingOccurrences(of: "//", with: "/")
        return ((try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? "").contains(" \(normal) tmpfs ")
    }

    /// Writes `bytes` to a new file under `path`; returns errno, 0 when it all went in.
    static func write(_ bytes: Int, to path: String) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        let data = [UInt8](repeating: 7, count: bytes)
        let wrote = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        return wrote == bytes ? 0 : (wrote < 0 ? errno : ENOSPC)
    }

    @Test(.enabled(if: geteuid() == 0, "mounting needs root"))
    func fillRefusesWritesFreeAllowsThemUnmountKeepsTheContents() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos-disks")
        defer { scratch.remove() }
        let paths = ["\(scratch.path)/data/master-1", "\(scratch.path)/data/master-2"]
        let disks = try DataDisks.mount(paths, megabytes: 4)
        var unmounted = false
        defer { if !unmounted { disks.unmount(keepingContents: false) } }
        #expect(paths.allSatisfy(Self.mounted))
        #expect(Self.write(4096, to: "\(paths[0])/before") == 0)

        let filled = try disks.fill(paths[0])
        #expect(filled > 3 << 20 && disks.freeBytes(paths[0]) == 0)
        #expect(Self.write(8192, to: "\(paths[0])/while-full") == ENOSPC)
        #expect(Self.write(8192, to: "\(paths[1])/other-disk") == 0)

        disks.free(paths[0])
        // The space comes back once no process holds the filler open: a container init that
        // another test of this process cloned at that moment holds a copy of its descriptor
        // until the init closes every descriptor it inherited.
        try eventuallyBlocking("the filler's space is free again", seconds: 30, every: .milliseconds(20)) {
            disks.freeBytes(paths[0]) > 3 << 20
        }
        #expect(Self.write(8192, to: "\(paths[0])/after") == 0)

        disks.unmount(keepingContents: true)
        unmounted = true
        #expect(!paths.contains(where: Self.mounted))
        let kept = try FileManager.default.contentsOfDirectory(atPath: paths[0]).sorted()
        #expect(kept == ["after", "before", "while-full"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: paths[1]) == ["other-disk"])
    }
}

extension DataDisksTests {
    /// A commit on a full disk fails, says how much the file system has free, and loses nothing
    /// committed before.
    @Test(.enabled(if: geteuid() == 0, "mounting needs root"))
    func aCommitOnAFullDiskSaysTheDiskIsFull() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos-disks")
        defer { scratch.remove() }
        let path = "\(scratch.path)/data"
        let disks = try DataDisks.mount([path], megabytes: 4)
        defer { disks.unmount(keepingContents: false) }
        let env = try StoreEnvironment(path: "\(path)/env")
        let db = try env.openDatabase("kv")
        try env.write { try $0.put([1], for: [0], in: db) }
        try disks.fill(path)
        let error = try #require(throws: StoreError.self) {
            for key in UInt8(1)...200 {
                try env.write { try $0.put([UInt8](repeating: key, count: 16_384), for: [key], in: db) }
            }
        }
        #expect(error.code == .system(28) || error.code == .system(5), "\(error)")
        #expect(error.description.contains("has 0 bytes free (it is full: free space, then restart)"), "\(error)")
        #expect(try env.read { try $0.get([0], in: db) } == [1])
    }
}
