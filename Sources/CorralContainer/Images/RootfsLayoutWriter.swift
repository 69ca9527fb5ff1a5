import Foundation
import Glibc

/// Turns a plain root file-system directory into a one-layer OCI image layout: a gzipped layer
/// tar, a config, a manifest, and an `index.json` naming it.
struct RootfsLayoutWriter {
    /// The root file system to archive.
    let rootfs: String
    /// The layout directory to create.
    let layout: String

    /// Writes the layout with the image named `name` and run as `config` says.
    func write(name: String, config: ImageConfig) throws {
        try Self.begin(layout)
        let (layer, diffID) = try Self.writeLayer(of: RootfsArchiver(root: rootfs), into: layout)
        let created = Date.now.formatted(.iso8601)
        let configFile = ImageConfigFile(
            created: created,
            architecture: ImageStore.architecture,
            os: "linux",
            config: config,
            rootfs: .init(type: "layers", diffIDs: [diffID]),
            // One entry a layer: tools that build on the image (buildah) refuse a mismatch.
            history: [.init(created: created, createdBy: "corral image import-rootfs")]
        )
        try Self.finish(layout, name: name, configFile: configFile, layers: [layer])
    }

    // MARK: - Steps of writing a layout (also `ImageStore.commit`)

    /// Starts an OCI layout at `layout`: `oci-layout` and an empty `blobs/sha256/`.
    static func begin(_ layout: String) throws {
        try Syscall.makeDirectories(layout + "/blobs/sha256")
        try Syscall.writeAtomically(LayoutReader.layoutFileBytes, to: layout + "/oci-layout")
    }

    /// Archives what `archiver` reads as a gzipped tar blob of the layout at `layout`; returns
    /// its descriptor and the uncompressed digest (the layer's diff ID).
    static func writeLayer(of archiver: RootfsArchiver, into layout: String) throws -> (Descriptor, Digest) {
        let temporary = layout + "/blobs/layer.partial"
        let file = try FileSink(creating: temporary)
        let compressed = HashingSink(file)
        let gzip = try GzipSink(compressed)
        let uncompressed = HashingSink(gzip)
        let writer = TarWriter(uncompressed)
        try archiver.archive(into: writer)
        try writer.finish()
        try gzip.finish()
        try file.close()
        let digest = Digest(hex: compressed.hasher.finalizeHex())
        try Syscall.rename(temporary, layout + "/blobs/sha256/" + digest.hex)
        let descriptor = Descriptor(
            mediaType: MediaType.ociLayerGzip,
            digest: digest,
            size: compressed.byteCount
        )
        return (descriptor, Digest(hex: uncompressed.hasher.finalizeHex()))
    }

    /// Ends the layout at `layout` with one image named `name`: its config, its manifest of
    /// `layers` (whose blobs are already there), and `index.json`.
    static func finish(_ layout: String, name: String, configFile: ImageConfigFile, layers: [Descriptor]) throws {
        let config = try writeBlob(try JSONCoding.encode(configFile), mediaType: MediaType.ociConfig, into: layout)
        let manifest = ImageManifest(schemaVersion: 2, mediaType: MediaType.ociManifest, config: config, layers: layers)
        var index = ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [])
        index.name(try writeBlob(try JSONCoding.encode(manifest), mediaType: MediaType.ociManifest, into: layout), name)
        try Syscall.writeAtomically(try JSONCoding.encode(index), to: layout + "/index.json")
    }

    /// Writes `bytes` as a blob of the layout at `layout`.
    private static func writeBlob(_ bytes: [UInt8], mediaType: String, into layout: String) throws -> Descriptor {
        let digest = Digest(hex: SHA256Hasher.hex(of: bytes))
        try Syscall.writeAtomically(bytes, to: layout + "/blobs/sha256/" + digest.hex)
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }
}

extension ImageStore {
    /// Imports a plain root file-system directory as a one-layer image named `name`.
    @discardableResult
    public func importRootfs(name: String, directory rootfs: String, config: ImageConfig = .rootfsDefault)
        throws -> ImageSummary
    {
        try ImageStore.validateName(name)
        guard let info = try Syscall.statIfExists(rootfs), Syscall.type(info.st_mode) == S_IFDIR else {
            throw ContainerError(.invalidArgument, "root file system '\(rootfs)' is not a directory")
        }
        try StoreLock.withExclusive(lockPath) {
            _ = try withStage { stage in
                let layout = stage + "/layout"
                try RootfsLayoutWriter(rootfs: rootfs, layout: layout).write(name: name, config: config)
                return try importLayout(LayoutReader(path: layout), name: name, stage: stage)
            }
            try collectGarbageLocked()
        }
        guard let summary = try list().first(where: { $0.name == name }) else {
            throw ContainerError(.notFound, "image '\(name)' vanished right after its import")
        }
        return summary
    }
}

extension ImageConfig {
    /// What `import-rootfs` gives an image: the usual PATH and `/bin/sh`.
    public static let rootfsDefault = ImageConfig(
        env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        cmd: ["/bin/sh"]
    )
}
