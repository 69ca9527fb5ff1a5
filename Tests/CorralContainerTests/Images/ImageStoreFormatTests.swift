import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// Docker media types, nested image indexes, repeated layers, and member metadata.
@Suite struct ImageStoreFormatTests {
    typealias Support = ImageTestSupport

    @Test func acceptsDockerMediaTypesAndListsARepeatedLayerOnce() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let empty = try Support.tar([])
        var emptyLayer = try LayoutBuilder.gzipLayer(empty)
        emptyLayer.mediaType = MediaType.dockerLayerGzip
        var content = try LayoutBuilder.gzipLayer(try Support.tar([Support.file("f")], contents: ["f": "f"]))
        content.mediaType = MediaType.dockerLayerGzip
        let layout = try LayoutBuilder(path: temporary.path + "/layout")
        try layout.image(
            name: "docker",
            layers: [emptyLayer, content, emptyLayer],
            configMediaType: MediaType.dockerConfig,
            manifestMediaType: MediaType.dockerManifest
        )
        let store = try ImageStore(root: temporary.path + "/state")
        try store.importImage(from: layout.path)
        let lower = try store.lowerDirectories(forImage: "docker")
        #expect(lower == [store.layerDirectory(emptyLayer.diffID), store.layerDirectory(content.diffID)])
    }

    @Test func importsAGzippedLayoutTarAndSkipsItsSymlinks() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let layout = try LayoutBuilder(path: temporary.path + "/layout")
        let manifest = try layout.image(
            name: "saved",
            layers: [LayoutBuilder.plainLayer(try Support.tar([Support.file("x")]))]
        )
        // Like `docker save`: legacy paths that are symlinks into blobs/.
        let layer = try #require(manifest.layers.first)
        try Syscall.makeDirectory(layout.path + "/legacy")
        try Syscall.retrying("symlink", "legacy/layer.tar") {
            symlink("../blobs/sha256/" + layer.digest.hex, layout.path + "/legacy/layer.tar")
        }
        let archive = temporary.path + "/saved.tar.gz"
        try Support.run("/bin/tar", ["-C", layout.path, "-czf", archive, "."])

        let store = try ImageStore(root: temporary.path + "/state")
        let imported = try store.importImage(from: archive)
        #expect(imported.map(\.name) == ["saved"])
        #expect(try store.lowerDirectories(forImage: "saved").count == 1)
        #expect(try Syscall.listDirectory(store.stagingDirectory).isEmpty)
    }

    @Test func picksThisPlatformFromANestedImageIndex() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let layout = try LayoutBuilder(path: temporary.path + "/layout")
        let manifest = try layout.image(
            name: nil,
            layers: [LayoutBuilder.plainLayer(try Support.tar([Support.file("x")]))]
        )
        let manifestBytes = try JSONCoding.encode(manifest)
        var native = try layout.blob(manifestBytes, mediaType: MediaType.ociManifest)
        native.platform = Platform(architecture: ImageStore.architecture, os: "linux")
        var other = native
        other.platform = Platform(architecture: "s390x", os: "linux")
        let nested = ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [other, native])
        var nestedDescriptor = try layout.blob(try JSONCoding.encode(nested), mediaType: MediaType.ociIndex)
        nestedDescriptor.annotations = [Descriptor.refNameKey: "multi"]
        let index = ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [nestedDescriptor])
        try Syscall.writeAtomically(try JSONCoding.encode(index), to: layout.path + "/index.json")

        let store = try ImageStore(root: temporary.path + "/state")
        let imported = try store.importImage(from: layout.path)
        #expect(imported.map(\.name) == ["multi"])
        #expect(imported.first?.digest == native.digest)
        // The nested index blob itself is not kept.
        #expect(try Syscall.listDirectory(store.blobsDirectory).count == 3)
    }

    @Test(.enabled(if: geteuid() == 0))
    func unpacksDevicesFifosModesOwnershipAndTimes() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        var setuid = Support.file("bin/su", mode: 0o4755)
        setuid.uid = 1000
        setuid.gid = 1001
        setuid.modificationTimeSeconds = 1_000_000_000
        let members: [TarEntry] = [
            Support.directory("dev"), Support.directory("bin"),
            TarEntry(path: "dev/null", kind: .characterDevice(major: 1, minor: 3), mode: 0o666),
            TarEntry(path: "dev/loop0", kind: .blockDevice(major: 7, minor: 0), mode: 0o660),
            TarEntry(path: "dev/pipe", kind: .fifo, mode: 0o622),
            setuid,
            TarEntry(path: "tmp/", kind: .directory, mode: 0o1777),
        ]
        let layout = try LayoutBuilder(path: temporary.path + "/layout")
        try layout.image(
            name: "meta",
            layers: [LayoutBuilder.plainLayer(try Support.tar(members, contents: ["bin/su": "su"]))]
        )
        let store = try ImageStore(root: temporary.path + "/state")
        try store.importImage(from: layout.path)
        let layer = try #require(try store.lowerDirectories(forImage: "meta").first)

        func info(_ path: String) throws -> stat {
            try #require(try Syscall.lstatIfExists(layer + "/" + path))
        }
        #expect(try info("dev/null").st_mode == S_IFCHR | 0o666)
        #expect(try info("dev/null").st_rdev == LayerUnpacker.device(1, 3))
        #expect(try info("dev/loop0").st_mode == S_IFBLK | 0o660)
        #expect(try info("dev/pipe").st_mode == S_IFIFO | 0o622)
        #expect(try info("bin/su").st_mode == S_IFREG | 0o4755)
        #expect(try info("bin/su").st_uid == 1000 && info("bin/su").st_gid == 1001)
        #expect(try info("bin/su").st_mtim.tv_sec == 1_000_000_000)
        #expect(try info("tmp").st_mode == S_IFDIR | 0o1777)
    }
}
