import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// `corral image save / load / tag`: OCI archives out of and into the store, and second names.
@Suite struct ImageStoreArchiveTests {
    typealias Support = ImageTestSupport

    /// A store holding `a` (two layers) and `b` (sharing the first), under `temporary`.
    static func storeWithTwoImages(_ temporary: TemporaryDirectory) throws -> ImageStore {
        let base = try LayoutBuilder.gzipLayer(try Support.tar([Support.file("base")], contents: ["base": "shared"]))
        let onlyA = try LayoutBuilder.gzipLayer(try Support.tar([Support.file("a")], contents: ["a": "a"]))
        let layoutA = try LayoutBuilder(path: temporary.path + "/a")
        try layoutA.image(name: "a", layers: [base, onlyA], config: ImageConfig(cmd: ["a"]))
        let layoutB = try LayoutBuilder(path: temporary.path + "/b")
        try layoutB.image(name: "b", layers: [base], config: ImageConfig(cmd: ["b"]))
        let store = try ImageStore(root: temporary.path + "/state")
        try store.importImage(from: layoutA.path)
        try store.importImage(from: layoutB.path)
        return store
    }

    @Test func aSavedArchiveLoadsIntoAnotherStoreAsTheSameImages() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try Self.storeWithTwoImages(temporary)
        let archive = temporary.path + "/images.tar"
        try store.save(["a", "b"], to: archive)
        #expect(try Syscall.listDirectory(temporary.path).filter { $0.contains(".tmp-") }.isEmpty)

        let other = try ImageStore(root: temporary.path + "/other")
        let loaded = try other.importImage(from: archive)
        #expect(loaded.map(\.name) == ["a", "b"])
        #expect(try other.list().map(\.digest) == store.list().map(\.digest), "the same manifests, byte for byte")
        #expect(try other.config(forImage: "a").cmd == ["a"])
        let lower = try other.lowerDirectories(forImage: "a")
        #expect(lower.count == 2)
        #expect(try Syscall.readFile(try #require(lower.first) + "/a") == Array("a".utf8))
        // The shared layer is in the archive once.
        let members = try Support.run("/bin/tar", ["-tf", archive]).split(separator: "\n").filter { $0.hasPrefix("blobs/sha256/") && $0.count > 13 }
        #expect(members.count == Set(members).count)
        #expect(members.count == 6, "two manifests, two configs, two layers (the shared one once): \(members)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci")))
    func umociUnpacksASavedImage() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try Self.storeWithTwoImages(temporary)
        try store.save(["a"], to: temporary.path + "/a.tar")
        try Syscall.makeDirectory(temporary.path + "/layout")
        _ = try Support.run("/bin/tar", ["-C", temporary.path + "/layout", "-xf", temporary.path + "/a.tar"])
        _ = try Support.run("/usr/bin/umoci", ["unpack", "--image", "layout:a", "bundle"], directory: temporary.path)
        #expect(try Syscall.readFile(temporary.path + "/bundle/rootfs/a") == Array("a".utf8))
        #expect(try Syscall.readFile(temporary.path + "/bundle/rootfs/base") == Array("shared".utf8))
    }

    @Test func savingWhatIsNotThereOrIntoAnExistingDirectoryFailsAndLeavesNothing() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try Self.storeWithTwoImages(temporary)
        let missing = #expect(throws: ContainerError.self) { try store.save(["a", "nope"], to: temporary.path + "/x.tar") }
        #expect(missing?.code == .notFound)
        #expect(try Syscall.lstatIfExists(temporary.path + "/x.tar") == nil)
        // A stored blob damaged on disk is not passed on.
        let layer = try #require(try store.inspect("a").layers.last)
        let blob = store.blobsDirectory + "/" + layer.digest.hex
        try Syscall.removeTree(blob)
        try Syscall.writeAtomically(Array("damaged".utf8), to: blob)
        let damaged = #expect(throws: ContainerError.self) { try store.save(["a"], to: temporary.path + "/y.tar") }
        #expect(damaged?.code == .digestMismatch)
        #expect(try Syscall.listDirectory(temporary.path).filter { $0.hasPrefix("y.tar") }.isEmpty)
    }

    @Test func aTruncatedArchiveLoadsNothing() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try Self.storeWithTwoImages(temporary)
        let archive = temporary.path + "/images.tar"
        try store.save(["a"], to: archive)
        let bytes = try Syscall.readFile(archive)
        try Syscall.writeAtomically(Array(bytes.prefix(bytes.count / 2)), to: temporary.path + "/half.tar")
        let other = try ImageStore(root: temporary.path + "/other")
        #expect(throws: ContainerError.self) { try other.importImage(from: temporary.path + "/half.tar") }
        #expect(try other.list().isEmpty)
        #expect(try Syscall.listDirectory(other.blobsDirectory).isEmpty)
    }

    @Test func aTagIsASecondNameThatOutlivesTheFirst() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try Self.storeWithTwoImages(temporary)
        let digest = try #require(try store.list().first { $0.name == "a" }?.digest)
        let tagged = try store.tag("a", as: "registry.local:5000/team/a:1")
        #expect(tagged.digest == digest)
        #expect(try store.list().map(\.name) == ["a", "b", "registry.local:5000/team/a:1"])
        // Tagging by digest, and moving a name to another image.
        try store.tag(digest.description, as: "b")
        #expect(try store.config(forImage: "b").cmd == ["a"], "b now names a's image")
        try store.remove("a")
        #expect(try store.lowerDirectories(forImage: "registry.local:5000/team/a:1").count == 2, "its layers stay")
        let bad = #expect(throws: ContainerError.self) { try store.tag("b", as: "bad name") }
        #expect(bad?.code == .invalidArgument)
        let unknown = #expect(throws: ContainerError.self) { try store.tag("nope", as: "c") }
        #expect(unknown?.code == .notFound)
    }
}
