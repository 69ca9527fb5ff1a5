import Foundation
import Glibc
import Synchronization
import Testing

@testable import CorralContainer

/// Pulls from a registry test double that misbehaves on purpose: corrupt or cut-off blobs,
/// strange manifests, bad layers, bearer tokens. A refused pull leaves the store unchanged.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
struct RegistryPullRefusalTests {
    typealias Support = ImageTestSupport
    static let insecure = RegistryOptions(insecure: true, timeout: 20)

    /// A layout under `temporary` with image `1.0` of one plain layer holding a 768 kB file of
    /// incompressible bytes; returns the layout path and the layer.
    /// With `below`, that layer comes first.
    static func layout(_ temporary: TemporaryDirectory, below: LayoutBuilder.Layer? = nil) throws -> (String, Descriptor) {
        var generator = SystemRandomNumberGenerator()
        let content = String((0..<(768 << 10)).map { _ in Character(UnicodeScalar(UInt8.random(in: 97...122, using: &generator))) })
        let builder = try LayoutBuilder(path: temporary.path + "/layout")
        let manifest = try builder.image(
            name: "1.0",
            layers: (below.map { [$0] } ?? [])
                + [LayoutBuilder.plainLayer(try Support.tar([Support.file("big")], contents: ["big": content]))])
        return (builder.path, try #require(manifest.layers.last))
    }

    /// The store is as new: no image, blob, layer or download.
    static func expectEmpty(_ store: ImageStore) throws {
        #expect(try store.list().isEmpty)
        for directory in ["/blobs/sha256", "/layers", "/downloads"] {
            #expect(try Syscall.listDirectory(store.directory + directory).isEmpty, "\(directory)")
        }
    }

    @Test func aCorruptLayerIsRefusedByDigestAndNothingIsStored() throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let (layout, layer) = try Self.layout(temporary)
        let double = try RegistryDoubleProcess(
            layout: layout, repository: "tools/big", arguments: ["--corrupt", layer.digest.hex], scratch: temporary.path)
        defer { double.stop() }
        let store = try ImageStore(root: temporary.path + "/state")
        let error = #expect(throws: ContainerError.self) {
            try store.pull(try ImageReference(parsing: double.address + "/tools/big:1.0"), options: Self.insecure)
        }
        #expect(error?.code == .digestMismatch)
        #expect(
            error?.message.hasPrefix("layer \(layer.digest) from \(double.address): expected \(layer.digest) (\(layer.size) bytes), got sha256:") == true,
            "\(String(describing: error))")
        #expect(error?.message.hasSuffix("; nothing was stored") == true)
        try Self.expectEmpty(store)
    }

    @Test(arguments: [false, true])
    func aLayerCutOffMidwayIsResumedWithARangeOrRestarted(ignoringRange: Bool) throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let (layout, layer) = try Self.layout(temporary)
        let double = try RegistryDoubleProcess(
            layout: layout, repository: "tools/big",
            arguments: ["--truncate", layer.digest.hex] + (ignoringRange ? ["--ignore-range"] : []), scratch: temporary.path)
        defer { double.stop() }
        let store = try ImageStore(root: temporary.path + "/state")
        let result = try store.pull(try ImageReference(parsing: double.address + "/tools/big:1.0"), name: "big", options: Self.insecure)
        #expect(result.downloaded.contains(layer.digest))
        let blobGets = try double.requests().filter { $0.hasPrefix("GET /v2/tools/big/blobs/\(layer.digest)") }
        #expect(blobGets.count == 2, "\(blobGets)")
        let range = try #require(blobGets.last?.split(separator: " ").last)
        #expect(range.hasPrefix("bytes=") && range != "bytes=0-", "the second request asks for the rest: \(range)")
        let lower = try #require(try store.lowerDirectories(forImage: "big").first)
        #expect(try Syscall.readFile(lower + "/big", limit: 1 << 20).count == 768 << 10)
    }

    @Test func aPathTraversingLayerIsRefusedAndNothingIsStored() throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let builder = try LayoutBuilder(path: temporary.path + "/layout")
        try builder.image(
            name: "evil", layers: [try LayoutBuilder.gzipLayer(try Support.tar([Support.file("../escape")], contents: ["../escape": "x"]))])
        let double = try RegistryDoubleProcess(layout: builder.path, repository: "tools/evil", scratch: temporary.path)
        defer { double.stop() }
        let store = try ImageStore(root: temporary.path + "/state")
        let error = #expect(throws: ContainerError.self) {
            try store.pull(try ImageReference(parsing: double.address + "/tools/evil:evil"), options: Self.insecure)
        }
        #expect(error?.code == .unsafePath, "\(String(describing: error))")
        #expect(error?.message.contains("refused") == true && error?.message.hasSuffix("nothing was stored") == true)
        try Self.expectEmpty(store)
        #expect(try Syscall.lstatIfExists(store.directory + "/escape") == nil)
        #expect(try Syscall.lstatIfExists(store.directory + "/layers/escape") == nil)
    }

    /// The blob is the one the manifest names (its digest checks out) but its content is not
    /// the config's diff_id: the layer, unpacked while it downloaded, is refused with it.
    @Test func aLayerWhoseContentIsNotItsDiffIDIsRefusedAndNothingIsStored() throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let builder = try LayoutBuilder(path: temporary.path + "/layout")
        var layer = try LayoutBuilder.gzipLayer(try Support.tar([Support.file("a")], contents: ["a": "real"]))
        let claimed = Digest(hex: SHA256Hasher.hex(of: try Support.tar([Support.file("a")], contents: ["a": "claimed"])))
        layer.diffID = claimed
        let manifest = try builder.image(name: "1.0", layers: [layer])
        let double = try RegistryDoubleProcess(layout: builder.path, repository: "tools/odd", scratch: temporary.path)
        defer { double.stop() }
        let store = try ImageStore(root: temporary.path + "/state")
        let error = #expect(throws: ContainerError.self) {
            try store.pull(try ImageReference(parsing: double.address + "/tools/odd:1.0"), options: Self.insecure)
        }
        #expect(error?.code == .digestMismatch)
        let digest = try #require(manifest.layers.first?.digest)
        #expect(error?.message.contains("layer \(digest) unpacks to sha256:") == true, "\(String(describing: error))")
        #expect(error?.message.contains("its config says diff_id \(claimed)") == true)
        #expect(error?.message.hasSuffix("; nothing was stored") == true)
        try Self.expectEmpty(store)
    }

    /// The store holds the first layer when the pull starts (its blob is linked, not fetched);
    /// while the second downloads, the image holding the first is removed and the store's
    /// garbage collected. The pull unpacks the first again from its linked blob.
    @Test func aLayerTheStoreLetsGoDuringAPullIsUnpackedFromItsLinkedBlob() throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let shared = try LayoutBuilder.gzipLayer(try Support.tar([Support.file("shared")], contents: ["shared": "kept"]))
        let base = try LayoutBuilder(path: temporary.path + "/base")
        try base.image(name: "base", layers: [shared])
        let store = try ImageStore(root: temporary.path + "/state")
        try store.importImage(from: base.path)
        let (layout, big) = try Self.layout(temporary, below: shared)
        let double = try RegistryDoubleProcess(layout: layout, repository: "tools/big", scratch: temporary.path)
        defer { double.stop() }
        let removed = Mutex(false)
        var options = Self.insecure
        options.progress = { blob, _ in
            guard blob.digest == big.digest, removed.withLock({ let first = !$0; $0 = true; return first }) else { return }
            try? store.remove("base")
            try? store.collectGarbage()
        }
        let result = try store.pull(try ImageReference(parsing: double.address + "/tools/big:1.0"), name: "big", options: options)
        #expect(removed.withLock { $0 })
        #expect(try store.list().map(\.name) == ["big"])
        #expect(result.downloaded.contains(big.digest) && result.skipped.count == 1, "\(result)")
        let lowers = try store.lowerDirectories(forImage: "big")
        #expect(try Syscall.readFile(try #require(lowers.last) + "/shared") == Array("kept".utf8))
        #expect(try Syscall.readFile(try #require(lowers.first) + "/big", limit: 1 << 20).count == 768 << 10)
    }

    @Test func aManifestOfAnUnknownMediaTypeIsRefused() throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let builder = try LayoutBuilder(path: temporary.path + "/layout")
        let thing = try builder.blob(Array(#"{"schemaVersion":2}"#.utf8), mediaType: "application/vnd.example.thing.v1+json")
        var named = thing
        named.annotations = [Descriptor.refNameKey: "1"]
        try Syscall.writeAtomically(
            try JSONCoding.encode(ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [named])),
            to: builder.path + "/index.json")
        let double = try RegistryDoubleProcess(layout: builder.path, repository: "odd/thing", scratch: temporary.path)
        defer { double.stop() }
        let store = try ImageStore(root: temporary.path + "/state")
        let error = #expect(throws: ContainerError.self) {
            try store.pull(try ImageReference(parsing: double.address + "/odd/thing:1"), options: Self.insecure)
        }
        #expect(error?.code == .unsupportedMediaType)
        #expect(error?.message.contains("'application/vnd.example.thing.v1+json'") == true, "\(String(describing: error))")
        try Self.expectEmpty(store)
    }

    @Test func anIndexGivesTheLinuxManifestOfThisArchitectureAndAPinnedDigestIsChecked() throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let builder = try LayoutBuilder(path: temporary.path + "/layout")
        func image(_ command: String) throws -> Descriptor {
            let layer = try LayoutBuilder.gzipLayer(try Support.tar([Support.file(command)], contents: [command: command]))
            let manifest = try builder.image(name: nil, layers: [layer], config: ImageConfig(cmd: [command]))
            return try builder.blob(try JSONCoding.encode(manifest), mediaType: MediaType.ociManifest)
        }
        var other = try image("other")
        other.platform = Platform(architecture: ImageStore.architecture == "arm64" ? "amd64" : "arm64", os: "linux")
        var mine = try image("mine")
        mine.platform = Platform(architecture: ImageStore.architecture, os: "linux")
        let list = ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [other, mine])
        var index = try builder.blob(try JSONCoding.encode(list), mediaType: MediaType.ociIndex)
        index.annotations = [Descriptor.refNameKey: "multi"]
        try Syscall.writeAtomically(
            try JSONCoding.encode(ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [index])),
            to: builder.path + "/index.json")
        let double = try RegistryDoubleProcess(layout: builder.path, repository: "multi/arch", scratch: temporary.path)
        defer { double.stop() }
        let store = try ImageStore(root: temporary.path + "/state")

        let pulled = try store.pull(try ImageReference(parsing: double.address + "/multi/arch:multi"), name: "m", options: Self.insecure)
        #expect(pulled.digest == mine.digest)
        #expect(try store.config(forImage: "m").cmd == ["mine"])
        let pinned = try store.pull(
            try ImageReference(parsing: double.address + "/multi/arch@" + index.digest.description), name: "p", options: Self.insecure)
        #expect(pinned.digest == mine.digest)

        #expect(try store.list().map(\.name) == ["m", "p"])
    }

    @Test func aDockerSchema2ImageIsPulledAsItIs() throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let builder = try LayoutBuilder(path: temporary.path + "/layout")
        var layer = try LayoutBuilder.gzipLayer(try Support.tar([Support.file("d")], contents: ["d": "docker"]))
        layer.mediaType = MediaType.dockerLayerGzip
        try builder.image(
            name: "2", layers: [layer], configMediaType: MediaType.dockerConfig, manifestMediaType: MediaType.dockerManifest)
        let double = try RegistryDoubleProcess(layout: builder.path, repository: "docker/image", scratch: temporary.path)
        defer { double.stop() }
        let store = try ImageStore(root: temporary.path + "/state")
        let pulled = try store.pull(try ImageReference(parsing: double.address + "/docker/image:2"), name: "d", options: Self.insecure)
        #expect(try store.readIndex().manifests.first?.mediaType == MediaType.dockerManifest)
        #expect(try store.inspect("d").manifestDigest == pulled.digest)
        let lower = try #require(try store.lowerDirectories(forImage: "d").first)
        #expect(try Syscall.readFile(lower + "/d") == Array("docker".utf8))
    }

    @Test func aManifestThatIsNotThePinnedDigestIsRefused() throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let (layout, _) = try Self.layout(temporary)
        let double = try RegistryDoubleProcess(
            layout: layout, repository: "tools/big", arguments: ["--lie-by-digest"], scratch: temporary.path)
        defer { double.stop() }
        let store = try ImageStore(root: temporary.path + "/state")
        let wanted = "sha256:" + String(repeating: "0", count: 64)
        let error = #expect(throws: ContainerError.self) {
            try store.pull(try ImageReference(parsing: double.address + "/tools/big@" + wanted), options: Self.insecure)
        }
        #expect(error?.code == .digestMismatch)
        #expect(error?.message.contains("expected \(wanted), got sha256:") == true, "\(String(describing: error))")
        try Self.expectEmpty(store)
    }

    @Test func bearerTokensComeFromTheRealmWithBasicCredentials() throws {
        let temporary = try TemporaryDirectory("corral-pull")
        defer { temporary.remove() }
        let (layout, _) = try Self.layout(temporary)
        let double = try RegistryDoubleProcess(
            layout: layout, repository: "tools/big", arguments: ["--token-user", "corral", "--token-password", "pw"],
            scratch: temporary.path)
        defer { double.stop() }
        let store = try ImageStore(root: temporary.path + "/state")
        let reference = try ImageReference(parsing: double.address + "/tools/big:1.0")

        let anonymous = #expect(throws: ContainerError.self) { try store.pull(reference, options: Self.insecure) }
        #expect(anonymous?.code == .registry)
        #expect(anonymous?.message.contains("token server http://127.0.0.1") == true, "\(String(describing: anonymous))")
        #expect(anonymous?.message.contains("refused anonymous access") == true)
        try Self.expectEmpty(store)

        var options = Self.insecure
        options.credentials = RegistryCredentials(user: "corral", password: "pw")
        try store.pull(reference, name: "big", options: options)
        let tokenRequests = try double.requests().filter { $0.hasPrefix("GET /token?") }
        #expect(tokenRequests.count == 2, "one refused, one granted: \(tokenRequests)")
        #expect(tokenRequests.last?.contains("scope=repository%3Atools%2Fbig%3Apull") == true || tokenRequests.last?.contains("scope=repository:tools/big:pull") == true)
        #expect(try store.list().map(\.name) == ["big"])
    }
}
