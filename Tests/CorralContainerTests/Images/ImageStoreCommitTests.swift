import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// `container commit`: a container's overlay upper directory, written by the kernel's overlayfs,
/// becomes one more layer on its image, deletions as OCI whiteouts that other tools read.
@Suite struct ImageStoreCommitTests {
    typealias Support = ImageTestSupport

    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci")))
    func whatAContainerWroteAndDeletedBecomesALayerThatUmociUnpacks() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let base = try Support.tar(
            [
                Support.file("keep"), Support.file("gone"), Support.directory("d"), Support.file("d/old"),
            ],
            contents: ["keep": "keep", "gone": "gone", "d/old": "old"]
        )
        let builder = try LayoutBuilder(path: temporary.path + "/layout")
        try builder.image(name: "base", layers: [try LayoutBuilder.gzipLayer(base)], config: ImageConfig(cmd: ["/keep"]))
        let store = try ImageStore(root: temporary.path + "/state")
        try store.importImage(from: builder.path)
        let lower = try store.lowerDirectories(forImage: "base")

        // A container's writes, through a real overlayfs mount, as a container makes them.
        let (upper, work, merged) = (temporary.path + "/upper", temporary.path + "/work", temporary.path + "/merged")
        for directory in [upper, work, merged] { try Syscall.makeDirectory(directory) }
        let options = "lowerdir=\(lower.joined(separator: ":")),upperdir=\(upper),workdir=\(work)"
        let mounted = options.withCString { mount("overlay", merged, "overlay", 0, $0) } == 0
        try #require(mounted, "mount overlay failed: \(String(cString: strerror(errno)))")
        do {
            defer { umount2(merged, Int32(MNT_DETACH)) }
            try Syscall.writeAtomically(Array("new".utf8), to: merged + "/new")
            #expect(unlink(merged + "/gone") == 0)
            try Syscall.removeTree(merged + "/d")
            try Syscall.makeDirectory(merged + "/d")
            try Syscall.writeAtomically(Array("fresh".utf8), to: merged + "/d/fresh")
        }

        let committed = try store.commit(upper: upper, lowerDirectories: lower, name: "patched")
        #expect(committed.name == "patched")
        #expect(try store.config(forImage: "patched").cmd == ["/keep"], "the base image's config stays")
        #expect(try store.lowerDirectories(forImage: "patched").count == 2)
        #expect(try store.lowerDirectories(forImage: "base") == lower, "the base image is untouched")

        // Another tool reads the whiteouts: umoci unpacks the saved image to the merged view.
        try store.save(["patched"], to: temporary.path + "/patched.tar")
        try Syscall.makeDirectory(temporary.path + "/out")
        _ = try Support.run("/bin/tar", ["-C", temporary.path + "/out", "-xf", temporary.path + "/patched.tar"])
        _ = try Support.run("/usr/bin/umoci", ["unpack", "--image", "out:patched", "bundle"], directory: temporary.path)
        let rootfs = temporary.path + "/bundle/rootfs"
        #expect(try Syscall.readFile(rootfs + "/keep") == Array("keep".utf8))
        #expect(try Syscall.readFile(rootfs + "/new") == Array("new".utf8))
        #expect(try Syscall.lstatIfExists(rootfs + "/gone") == nil, "a deleted file stays deleted")
        #expect(try Syscall.listDirectory(rootfs + "/d") == ["fresh"], "a directory made anew hides the old one's files")
    }

    @Test func aCommitNeedsItsImageAndItsUpperDirectory() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try ImageStore(root: temporary.path + "/state")
        try Syscall.makeDirectory(temporary.path + "/upper")
        let orphan = #expect(throws: ContainerError.self) {
            try store.commit(upper: temporary.path + "/upper", lowerDirectories: [temporary.path + "/nope"], name: "x")
        }
        #expect(orphan?.code == .notFound)
        let gone = #expect(throws: ContainerError.self) {
            try store.commit(upper: temporary.path + "/missing", lowerDirectories: [], name: "x")
        }
        #expect(gone?.code == .notFound)
        let badName = #expect(throws: ContainerError.self) {
            try store.commit(upper: temporary.path + "/upper", lowerDirectories: [], name: "no spaces")
        }
        #expect(badName?.code == .invalidArgument)
        #expect(try store.list().isEmpty)
    }
}
