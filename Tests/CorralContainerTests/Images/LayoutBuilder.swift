import Foundation

@testable import CorralContainer

/// Writes OCI image layouts by hand, so tests can make good and deliberately bad images.
struct LayoutBuilder {
    let path: String

    /// One layer: its blob bytes, media type, and the diff_id the config claims.
    struct Layer {
        var blob: [UInt8]
        var mediaType: String
        var diffID: Digest
    }

    init(path: String) throws {
        self.path = path
        try Syscall.makeDirectories(path + "/blobs/sha256")
        try Syscall.writeAtomically(LayoutReader.layoutFileBytes, to: path + "/oci-layout")
    }

    /// A gzipped layer from a tar.
    static func gzipLayer(_ tar: [UInt8]) throws -> Layer {
        Layer(
            blob: try ImageTestSupport.gzip(tar),
            mediaType: MediaType.ociLayerGzip,
            diffID: Digest(hex: SHA256Hasher.hex(of: tar))
        )
    }

    /// An uncompressed layer.
    static func plainLayer(_ tar: [UInt8]) -> Layer {
        Layer(blob: tar, mediaType: MediaType.ociLayer, diffID: Digest(hex: SHA256Hasher.hex(of: tar)))
    }

    /// Writes a blob and returns its descriptor.
    @discardableResult
    func blob(_ bytes: [UInt8], mediaType: String) throws -> Descriptor {
        let digest = Digest(hex: SHA256Hasher.hex(of: bytes))
        try Syscall.writeAtomically(bytes, to: path + "/blobs/sha256/" + digest.hex)
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }

    /// Writes config, manifest and layers, and `index.json` with the one image named `name`.
    @discardableResult
    func image(
        name: String?,
        layers: [Layer],
        config: ImageConfig = ImageConfig(cmd: ["/bin/sh"]),
        configMediaType: String = MediaType.ociConfig,
        manifestMediaType: String = MediaType.ociManifest
    ) throws -> ImageManifest {
        let layerDescriptors = try layers.map { try blob($0.blob, mediaType: $0.mediaType) }
        let configFile = ImageConfigFile(
            created: "2026-01-01T00:00:00Z",
            architecture: "amd64",
            os: "linux",
            config: config,
            rootfs: .init(type: "layers", diffIDs: layers.map(\.diffID))
        )
        let configDescriptor = try blob(try JSONCoding.encode(configFile), mediaType: configMediaType)
        let manifest = ImageManifest(
            schemaVersion: 2,
            mediaType: manifestMediaType,
            config: configDescriptor,
            layers: layerDescriptors
        )
        var manifestDescriptor = try blob(try JSONCoding.encode(manifest), mediaType: manifestMediaType)
        if let name { manifestDescriptor.annotations = [Descriptor.refNameKey: name] }
        let index = ImageIndex(
            schemaVersion: 2,
            mediaType: MediaType.ociIndex,
            manifests: [manifestDescriptor]
        )
        try Syscall.writeAtomically(try JSONCoding.encode(index), to: path + "/index.json")
        return manifest
    }
}
