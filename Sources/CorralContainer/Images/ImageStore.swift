import Glibc

/// A local image store in the OCI image layout under `<root>/images`: `oci-layout`, `index.json`
/// (images named by `org.opencontainers.image.ref.name`), `blobs/sha256/…`, and every layer
/// unpacked once into `layers/<diff-id hex>/`, shared read-only by containers as overlayfs lowerdirs.
///
/// Writers (import, remove, garbage collection) serialise on an `flock`; they stage everything in
/// `tmp/` and commit by rename, so a refused image leaves the store unchanged. Readers take no lock:
/// `index.json` is replaced atomically.
public final class ImageStore: LayerSource {
    /// Where Corral keeps its state unless told otherwise.
    public static let defaultRoot = "/var/lib/corral"

    /// The store's directory, `<root>/images`.
    public let directory: String

    var blobsDirectory: String { directory + "/blobs/sha256" }
    var layersDirectory: String { directory + "/layers" }
    var stagingDirectory: String { directory + "/tmp" }
    var indexPath: String { directory + "/index.json" }
    var lockPath: String { directory + "/.lock" }

    /// Opens (creating if needed) the store under `<root>/images`.
    public init(root: String = ImageStore.defaultRoot) throws {
        let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        directory = trimmed + "/images"
        for path in [blobsDirectory, layersDirectory, stagingDirectory] { try Syscall.makeDirectories(path) }
        try StoreLock.withExclusive(lockPath) {
            if try Syscall.lstatIfExists(directory + "/oci-layout") == nil {
                try Syscall.writeAtomically(
                    LayoutReader.layoutFileBytes,
                    to: directory + "/oci-layout"
                )
            }
            if try Syscall.lstatIfExists(indexPath) == nil {
                try writeIndex(ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: []))
            }
        }
    }

    // MARK: - Reading

    /// Every named image, sorted by name.
    public func list() throws -> [ImageSummary] {
        try readIndex().manifests.compactMap { descriptor -> ImageSummary? in
            guard let name = descriptor.refName else { return nil }
            let image = try resolve(descriptor, name: name)
            let size = image.manifest.config.size + image.manifest.layers.reduce(0) { $0 + $1.size }
            return ImageSummary(
                name: name,
                digest: descriptor.digest,
                sizeBytes: size,
                created: image.configFile.created
            )
        }.sorted { $0.name < $1.name }
    }

    /// The manifest, config and layers of the image named `reference` (a name or a manifest digest).
    public func inspect(_ reference: String) throws -> ImageDetails {
        let image = try resolve(reference)
        let layers = zip(image.manifest.layers, image.configFile.rootfs.diffIDs).map { layer, diffID in
            ImageDetails.Layer(
                digest: layer.digest,
                diffID: diffID,
                mediaType: layer.mediaType,
                sizeBytes: layer.size,
                directory: layerDirectory(diffID)
            )
        }
        return ImageDetails(
            name: image.name,
            manifestDigest: image.manifestDigest,
            configDigest: image.manifest.config.digest,
            created: image.configFile.created,
            architecture: image.configFile.architecture,
            os: image.configFile.os,
            config: image.configFile.config ?? ImageConfig(),
            layers: layers
        )
    }

    /// How a container of the image runs: env, cmd, entrypoint, working directory, user.
    public func config(forImage reference: String) throws -> ImageConfig {
        try resolve(reference).configFile.config ?? ImageConfig()
    }

    /// The image's unpacked layer directories, topmost first, as overlayfs `lowerdir=` wants.
    ///
    /// A layer that occurs twice (typically the empty layer) is listed once, at its topmost
    /// position: overlayfs refuses the same directory twice, and the upper copy wins anyway.
    public func lowerDirectories(forImage reference: String) throws -> [String] {
        try lowerDirectories(of: resolve(reference), reference: reference)
    }

    func lowerDirectories(of image: ResolvedImage, reference: String) throws -> [String] {
        var seen = Set<Digest>()
        let topmostFirst = image.configFile.rootfs.diffIDs.reversed().filter { seen.insert($0).inserted }
        return try topmostFirst.map { diffID in
            let path = layerDirectory(diffID)
            guard let info = try Syscall.lstatIfExists(path), Syscall.type(info.st_mode) == S_IFDIR else {
                throw ContainerError(
                    .notFound,
                    "layer \(diffID) of image '\(reference)' is not unpacked at '\(path)'"
                )
            }
            return path
        }
    }

    /// The directory a layer with `diffID` is unpacked into.
    public func layerDirectory(_ diffID: Digest) -> String { layersDirectory + "/" + diffID.hex }

    // MARK: - Internals

    /// An image found in the index, with its parsed manifest and config.
    struct ResolvedImage {
        var name: String
        var manifestDigest: Digest
        var manifest: ImageManifest
        var configFile: ImageConfigFile
    }

    /// Finds the image named `reference`, or whose manifest digest is `reference`.
    func resolve(_ reference: String) throws -> ResolvedImage {
        let found = try descriptor(reference, in: readIndex())
        return try resolve(found, name: found.refName ?? reference)
    }

    /// The entry of `index` named `reference`, or whose manifest digest is `reference` (the newest).
    func descriptor(_ reference: String, in index: ImageIndex) throws -> Descriptor {
        guard
            let found = index.manifests.last(where: { $0.refName == reference })
                ?? index.manifests.last(where: { $0.digest.description == reference })
        else { throw ContainerError(.notFound, "no image named '\(reference)' in \(directory)") }
        return found
    }

    func resolve(_ descriptor: Descriptor, name: String) throws -> ResolvedImage {
        let manifest = try JSONCoding.decode(
            ImageManifest.self,
            from: try readBlob(descriptor),
            what: "manifest of '\(name)'"
        )
        let configFile = try JSONCoding.decode(
            ImageConfigFile.self,
            from: try readBlob(manifest.config),
            what: "config of '\(name)'"
        )
        return ResolvedImage(
            name: name,
            manifestDigest: descriptor.digest,
            manifest: manifest,
            configFile: configFile
        )
    }

    /// Reads a small stored blob, verifying its digest.
    func readBlob(_ descriptor: Descriptor) throws -> [UInt8] {
        let path = blobsDirectory + "/" + descriptor.digest.hex
        guard try Syscall.lstatIfExists(path) != nil else {
            throw ContainerError(.missingBlob, "blob \(descriptor.digest) is missing from the store \(directory)")
        }
        let bytes = try Syscall.readFile(path)
        guard SHA256Hasher.hex(of: bytes) == descriptor.digest.hex else {
            throw ContainerError(.digestMismatch, "stored blob \(descriptor.digest) is corrupt")
        }
        return bytes
    }

    func readIndex() throws -> ImageIndex {
        try JSONCoding.decode(
            ImageIndex.self,
            from: try Syscall.readFile(indexPath),
            what: "store index.json"
        )
    }

    func writeIndex(_ index: ImageIndex) throws {
        try Syscall.writeAtomically(try JSONCoding.encode(index), to: indexPath)
    }

    /// Refuses names that are empty, too long, or have characters outside `[A-Za-z0-9._:/@+-]`.
    static func validateName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@+-")
        guard !name.isEmpty, name.count <= 255, name.allSatisfy({ allowed.contains($0) }) else {
            throw ContainerError(
                .invalidArgument,
                "image name '\(name)' must be 1–255 characters of [A-Za-z0-9._:/@+-]"
            )
        }
    }
}
