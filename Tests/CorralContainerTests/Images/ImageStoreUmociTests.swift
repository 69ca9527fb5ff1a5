import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// Importing OCI layouts that umoci produces, as a directory and as a tar.
@Suite struct ImageStoreUmociTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci")))
    func importsAUmociLayoutAndATarOfIt() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let work = temporary.path
        let umoci = "/usr/bin/umoci"
        try ImageTestSupport.run(umoci, ["init", "--layout", "L"], directory: work)
        try ImageTestSupport.run(umoci, ["new", "--image", "L:latest"], directory: work)
        try ImageTestSupport.run(umoci, ["unpack", "--image", "L:latest", "bundle"], directory: work)
        let rootfs = work + "/bundle/rootfs"
        try ImageStoreRootfsTests.makeBusyboxRootfs(at: rootfs)
        try Syscall.writeAtomically(Array("hello\n".utf8), to: rootfs + "/etc/motd")
        try ImageTestSupport.run(umoci, ["repack", "--image", "L:latest", "bundle"], directory: work)
        // A second layer that deletes a file and adds one.
        try ImageTestSupport.run(umoci, ["unpack", "--image", "L:latest", "bundle2"], directory: work)
        try Syscall.removeTree(work + "/bundle2/rootfs/etc/motd")
        try Syscall.writeAtomically(Array("new\n".utf8), to: work + "/bundle2/rootfs/etc/new")
        try ImageTestSupport.run(umoci, ["repack", "--image", "L:latest", "bundle2"], directory: work)
        try ImageTestSupport.run(
            umoci,
            [
                "config", "--image", "L:latest", "--config.env", "FOO=bar", "--config.cmd", "/bin/sh",
                "--config.workingdir", "/etc", "--config.user", "1000:1000",
            ],
            directory: work
        )

        let store = try ImageStore(root: work + "/state")
        let imported = try store.importImage(from: work + "/L")
        #expect(imported.map(\.name) == ["latest"])
        let config = try store.config(forImage: "latest")
        #expect(config.env.contains("FOO=bar"))
        #expect(config.cmd == ["/bin/sh"])
        #expect(config.workingDir == "/etc")
        #expect(config.user == "1000:1000")
        let lower = try store.lowerDirectories(forImage: "latest")
        #expect(lower.count == 2)
        let top = try #require(lower.first)
        let bottom = try #require(lower.last)
        let whiteout = try #require(try Syscall.lstatIfExists(top + "/etc/motd"))
        #expect(Syscall.type(whiteout.st_mode) == S_IFCHR && whiteout.st_rdev == 0)
        #expect(try Syscall.readFile(top + "/etc/new") == Array("new\n".utf8))
        #expect(try Syscall.readFile(bottom + "/etc/motd") == Array("hello\n".utf8))
        #expect(
            try Syscall.readFile(bottom + "/bin/busybox")
                == (try Syscall.readFile("/bin/busybox", limit: 1 << 26))
        )

        // The same layout as a tar, under a name of our choosing.
        try ImageTestSupport.run("/bin/tar", ["-C", work + "/L", "-cf", work + "/L.tar", "."])
        let fromTar = try ImageStore(root: work + "/state2")
        let named = try fromTar.importImage(from: work + "/L.tar", name: "umoci/busybox:1")
        #expect(named.map(\.name) == ["umoci/busybox:1"])
        #expect(named.first?.digest == imported.first?.digest)
        #expect(try fromTar.lowerDirectories(forImage: "umoci/busybox:1").count == 2)
        #expect(try Syscall.listDirectory(fromTar.stagingDirectory).isEmpty)
    }
}
