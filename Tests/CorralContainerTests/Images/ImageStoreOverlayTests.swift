import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// Whiteouts and opaque directories, checked through a real overlayfs mount of the lowerdirs.
@Suite struct ImageStoreOverlayTests {
    typealias Support = ImageTestSupport

    @Test(.enabled(if: geteuid() == 0))
    func whiteoutsAndOpaqueDirectoriesGiveTheRightOverlayView() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let lowerTar = try Support.tar(
            [
                Support.directory("a"), Support.file("a/keep"), Support.file("a/gone"),
                Support.file("top-gone"),
                Support.directory("d"), Support.file("d/old"), Support.directory("d/sub"),
                Support.file("d/sub/deep"),
                TarEntry(path: "a/link", kind: .symlink(target: "keep"), mode: 0o777),
            ],
            contents: ["a/keep": "keep", "a/gone": "gone", "d/old": "old"]
        )
        let upperTar = try Support.tar(
            [
                Support.file("a/.wh.gone"), Support.file(".wh.top-gone"), Support.directory("d"),
                Support.file("d/.wh..wh..opq"), Support.file("d/new"), Support.file("a/added"),
            ],
            contents: ["d/new": "new", "a/added": "added"]
        )
        let builder = try LayoutBuilder(path: temporary.path + "/layout")
        try builder.image(
            name: "layered",
            layers: [try LayoutBuilder.gzipLayer(lowerTar), LayoutBuilder.plainLayer(upperTar)]
        )

        let store = try ImageStore(root: temporary.path + "/state")
        try store.importImage(from: builder.path)
        let lower = try store.lowerDirectories(forImage: "layered")
        try #require(lower.count == 2)
        let upper = lower[0]
        #expect(Support.opaque(upper + "/d") == "y")
        #expect(try Syscall.lstatIfExists(upper + "/a/.wh.gone") == nil)
        #expect(try Syscall.lstatIfExists(upper + "/d/.wh..wh..opq") == nil)
        let whiteout = try #require(try Syscall.lstatIfExists(upper + "/a/gone"))
        #expect(Syscall.type(whiteout.st_mode) == S_IFCHR && whiteout.st_rdev == 0)

        let merged = temporary.path + "/merged"
        try Syscall.makeDirectory(merged)
        let options = "lowerdir=" + lower.joined(separator: ":")
        let mounted = options.withCString { mount("overlay", merged, "overlay", UInt(MS_RDONLY), $0) } == 0
        defer { if mounted { umount2(merged, Int32(MNT_DETACH)) } }
        try #require(mounted, "mount overlay failed: \(String(cString: strerror(errno)))")

        func exists(_ path: String) throws -> Bool { try Syscall.lstatIfExists(merged + "/" + path) != nil }
        #expect(try Syscall.readFile(merged + "/a/keep") == Array("keep".utf8))
        #expect(try Syscall.readFile(merged + "/a/link") == Array("keep".utf8))
        #expect(try Syscall.readFile(merged + "/a/added") == Array("added".utf8))
        #expect(try Syscall.readFile(merged + "/d/new") == Array("new".utf8))
        #expect(try !exists("a/gone"))
        #expect(try !exists("top-gone"))
        #expect(try !exists("d/old"))
        #expect(try !exists("d/sub"))
        #expect(try Syscall.listDirectory(merged) == ["a", "d"])
        #expect(try Syscall.listDirectory(merged + "/d") == ["new"])
    }
}
