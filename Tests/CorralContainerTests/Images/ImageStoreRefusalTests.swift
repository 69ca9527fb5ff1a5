import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// Every kind of bad image is refused with its own code and leaves the store, and everything
/// outside it, byte-for-byte unchanged.
@Suite struct ImageStoreRefusalTests {
    typealias Support = ImageTestSupport

    enum BadImage: String, CaseIterable, Sendable {
        case missingBlob, digestMismatch, sizeMismatch, diffIDMismatch, diffIDOfAStoredLayer,
            unknownLayerMediaType,
            unknownConfigMediaType
        case dotDotPath, absolutePath, symlinkParentEscape, hardlinkOutside, hardlinkAbsolute,
            hardlinkThroughSymlink
        case archiveTraversal, notALayout, corruptGzip

        var expectedCode: ContainerError.Code {
            switch self {
            case .missingBlob: return .missingBlob
            case .digestMismatch, .sizeMismatch, .diffIDMismatch, .diffIDOfAStoredLayer:
                return .digestMismatch
            case .unknownLayerMediaType, .unknownConfigMediaType: return .unsupportedMediaType
            case .notALayout, .corruptGzip: return .malformed
            default: return .unsafePath
            }
        }
    }

    @Test(arguments: BadImage.allCases)
    func badImageIsRefusedAndLeavesTheStoreUnchanged(_ bad: BadImage) throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let outside = temporary.path + "/outside"
        try Syscall.makeDirectory(outside)
        try Syscall.writeAtomically(Array("canary".utf8), to: outside + "/canary")

        let store = try ImageStore(root: temporary.path + "/state")
        let good = try LayoutBuilder(path: temporary.path + "/good")
        try good.image(
            name: "good",
            layers: [
                try LayoutBuilder.gzipLayer(
                    try Self.goodTar()
                )
            ]
        )
        try store.importImage(from: good.path)
        let storeBefore = try Support.listing(store.directory)
        let outsideBefore = try Support.listing(outside)

        let path = try makeBadImage(bad, in: temporary.path, outside: outside)
        let error = #expect(throws: ContainerError.self) { try store.importImage(from: path, name: "bad") }
        #expect(error?.code == bad.expectedCode, "\(bad): \(String(describing: error))")
        #expect(try Support.listing(store.directory) == storeBefore)
        #expect(try Support.listing(outside) == outsideBefore)
        #expect(try store.list().map(\.name) == ["good"])
    }

    /// The layer of the image already in the store.
    private static func goodTar() throws -> [UInt8] {
        try Support.tar([Support.file("hello")], contents: ["hello": "hi"])
    }

    /// A first layer member that unpacks fine, so a refusal has something staged to clean up.
    private static let harmless = [Support.directory("etc"), Support.file("etc/ok")]

    private func makeBadImage(_ bad: BadImage, in directory: String, outside: String) throws -> String {
        let builder = try LayoutBuilder(path: directory + "/bad")
        let fine = try Support.tar(Self.harmless, contents: ["etc/ok": "ok"])
        func layer(_ entries: [TarEntry]) throws -> LayoutBuilder.Layer {
            try LayoutBuilder.gzipLayer(try Support.tar(Self.harmless + entries, contents: ["etc/ok": "ok"]))
        }
        func layerBlob(_ manifest: ImageManifest) throws -> String {
            builder.path + "/blobs/sha256/" + (try #require(manifest.layers.last)).digest.hex
        }
        switch bad {
        case .missingBlob:
            let manifest = try builder.image(name: nil, layers: [try LayoutBuilder.gzipLayer(fine)])
            try Syscall.removeTree(try layerBlob(manifest))
        case .digestMismatch, .sizeMismatch:
            let manifest = try builder.image(name: nil, layers: [LayoutBuilder.plainLayer(fine)])
            var bytes = try Syscall.readFile(try layerBlob(manifest))
            if bad == .sizeMismatch { bytes += [0] } else { bytes[600] ^= 0x20 }
            try Syscall.removeTree(try layerBlob(manifest))
            try Syscall.writeAtomically(bytes, to: try layerBlob(manifest))
        case .diffIDOfAStoredLayer:
            // Other content claiming the diff_id of a layer the store has already unpacked.
            var impostor = try LayoutBuilder.gzipLayer(fine)
            impostor.diffID = Digest(hex: SHA256Hasher.hex(of: try Self.goodTar()))
            try builder.image(name: nil, layers: [impostor])
        case .diffIDMismatch:
            var wrong = try LayoutBuilder.gzipLayer(fine)
            wrong.diffID = Digest(hex: SHA256Hasher.hex(of: [1, 2, 3]))
            try builder.image(name: nil, layers: [try LayoutBuilder.gzipLayer(fine), wrong])
        case .unknownLayerMediaType:
            var zstd = LayoutBuilder.plainLayer(fine)
            zstd.mediaType = "application/vnd.oci.image.layer.v1.tar+zstd"
            try builder.image(name: nil, layers: [zstd])
        case .unknownConfigMediaType:
            try builder.image(
                name: nil,
                layers: [LayoutBuilder.plainLayer(fine)],
                configMediaType: "application/json"
            )
        case .dotDotPath:
            try builder.image(name: nil, layers: [try layer([Support.file("etc/../../escape")])])
        case .absolutePath:
            try builder.image(name: nil, layers: [try layer([Support.file(outside + "/absolute")])])
        case .symlinkParentEscape:
            let link = TarEntry(path: "etc/evil", kind: .symlink(target: outside), mode: 0o777)
            try builder.image(name: nil, layers: [try layer([link, Support.file("etc/evil/pwned")])])
        case .hardlinkOutside:
            let link = TarEntry(path: "etc/h", kind: .hardlink(target: "../../outside/canary"), mode: 0o644)
            try builder.image(name: nil, layers: [try layer([link])])
        case .hardlinkAbsolute:
            let link = TarEntry(path: "etc/h", kind: .hardlink(target: outside + "/canary"), mode: 0o644)
            try builder.image(name: nil, layers: [try layer([link])])
        case .hardlinkThroughSymlink:
            let symlink = TarEntry(path: "etc/s", kind: .symlink(target: outside), mode: 0o777)
            let link = TarEntry(path: "etc/h", kind: .hardlink(target: "etc/s/canary"), mode: 0o644)
            try builder.image(name: nil, layers: [try layer([symlink, link])])
        case .archiveTraversal:
            try builder.image(name: nil, layers: [LayoutBuilder.plainLayer(fine)])
            let archive = directory + "/bad.tar"
            try ImageTestSupport.run("/bin/tar", ["-C", builder.path, "-cf", archive, "."])
            // Append a member that climbs out of the extraction directory.
            let extra = try Support.tar([Support.file("../escape")], contents: ["../escape": "x"])
            var bytes = try Syscall.readFile(archive, limit: 1 << 26)
            while bytes.count >= 512 && bytes.suffix(512).allSatisfy({ $0 == 0 }) { bytes.removeLast(512) }
            try Syscall.removeTree(archive)
            try Syscall.writeAtomically(bytes + extra, to: archive)
            return archive
        case .notALayout:
            try Syscall.removeTree(builder.path + "/oci-layout")
        case .corruptGzip:
            var broken = try LayoutBuilder.gzipLayer(fine)
            broken.blob[broken.blob.count / 2] ^= 0xff
            try builder.image(name: nil, layers: [broken])
        }
        return builder.path
    }
}
