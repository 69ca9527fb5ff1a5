import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// Paths resolved inside a tree: an image's root keeps `..` and absolute symlinks inside it, a
/// build context refuses them.
@Suite struct ScopedPathTests {
    @Test func anImageRootHoldsSymlinksAndDotDotInside() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = temporary.path + "/image"
        try Syscall.makeDirectories(root + "/data")
        #expect(symlink("/data", root + "/absolute") == 0)
        #expect(symlink("../../../data", root + "/climbing") == 0)
        #expect(symlink("/loop", root + "/loop") == 0)
        let image = ScopedPath(root: root, refuseEscapes: false)
        #expect(
            try image.resolve("/absolute/file") == ["data", "file"],
            "an absolute link is read from the image's root"
        )
        #expect(try image.resolve("climbing/x") == ["data", "x"], "'..' stops at the image's root")
        #expect(try image.resolve("/absolute", followLast: false) == ["absolute"])
        #expect(throws: ContainerError.self) { try image.resolve("loop/x") }

        let context = ScopedPath(root: root, refuseEscapes: true)
        #expect(throws: ContainerError.self) { try context.resolve("absolute/file") }
        #expect(throws: ContainerError.self) { try context.resolve("climbing/x") }
        #expect(try context.resolve("data/../data/y") == ["data", "y"])
    }
}
