import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// `import-rootfs`: a busybox image made offline from Debian's busybox-static.
@Suite struct ImageStoreRootfsTests {
    /// A busybox root file system: /bin/busybox and a symlink per applet.
    static func makeBusyboxRootfs(at rootfs: String) throws {
        for directory in ["/bin", "/etc", "/tmp"] { try Syscall.makeDirectories(rootfs + directory) }
        try ImageTestSupport.run("/bin/cp", ["/bin/busybox", rootfs + "/bin/busybox"])
        let applets = try ImageTestSupport.run("/bin/busybox", ["--list"]).split(separator: "\n")
        for applet in applets where applet != "busybox" {
            try Syscall.retrying("symlink", String(applet)) { symlink("busybox", rootfs + "/bin/" + applet) }
        }
        try Syscall.writeAtomically(Array("root:x:0:0:root:/:/bin/sh\n".utf8), to: rootfs + "/etc/passwd")
        try ImageTestSupport.run("/bin/ln", [rootfs + "/etc/passwd", rootfs + "/etc/passwd.hardlink"])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/busybox")))
    func busyboxRootfsBecomesAOneLayerImage() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let rootfs = temporary.path + "/rootfs"
        try ImageStoreRootfsTests.makeBusyboxRootfs(at: rootfs)
        let store = try ImageStore(root: temporary.path + "/state")

        let summary = try store.importRootfs(name: "busybox", directory: rootfs)
        #expect(summary.name == "busybox")
        #expect(try store.list().map(\.name) == ["busybox"])
        #expect(try store.config(forImage: "busybox") == .rootfsDefault)
        let lower = try store.lowerDirectories(forImage: "busybox")
        #expect(lower.count == 1)
        let layer = try #require(lower.first)
        #expect(try ImageTestSupport.listing(layer) == (try ImageTestSupport.listing(rootfs)))
        var first = stat()
        var second = stat()
        #expect(
            lstat(layer + "/etc/passwd", &first) == 0 && lstat(layer + "/etc/passwd.hardlink", &second) == 0
        )
        #expect(first.st_ino == second.st_ino)
        #expect(try store.inspect("busybox").layers.map(\.directory) == lower)
        #expect(try store.inspect(summary.digest.description).name == "busybox")

        if geteuid() == 0 {
            let output = try ImageTestSupport.run(
                "/usr/sbin/chroot",
                [layer, "/bin/sh", "-c", "echo hello from $(basename /bin/sh)"]
            )
            #expect(output == "hello from sh\n")
        }

        // Same content under another name: the layer is unpacked once and shared.
        try store.importRootfs(name: "busybox-again", directory: rootfs)
        #expect(try store.lowerDirectories(forImage: "busybox-again") == lower)
        #expect(try Syscall.listDirectory(store.layersDirectory).count == 1)
        #expect(try Syscall.listDirectory(store.stagingDirectory).isEmpty)
    }

    @Test func refusesABadNameOrAMissingDirectory() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try ImageStore(root: temporary.path)
        let badName = #expect(throws: ContainerError.self) {
            try store.importRootfs(name: "no spaces", directory: temporary.path)
        }
        #expect(badName?.code == .invalidArgument)
        let missing = #expect(throws: ContainerError.self) {
            try store.importRootfs(name: "x", directory: temporary.path + "/nope")
        }
        #expect(missing?.code == .invalidArgument)
        let unknown = #expect(throws: ContainerError.self) { try store.lowerDirectories(forImage: "nope") }
        #expect(unknown?.code == .notFound)
    }
}
