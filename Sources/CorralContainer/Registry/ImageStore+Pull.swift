import Glibc

/// What a pull did.
public struct PullResult: Sendable, Equatable {
    /// The name the image is stored under.
    public var name: String
    /// The manifest digest.
    public var digest: Digest
    /// Blobs (config and layers) fetched from the registry.
    public var downloaded: [Digest]
    /// Blobs the store already had, so they were not fetched.
    public var skipped: [Digest]
}

extension ImageStore {
    /// Pulls the image `reference` from its registry and stores it as `name` (by default the
    /// reference as written). From an index or manifest list the linux manifest for this
    /// machine's architecture is taken. Blobs the store has are not fetched; every fetched blob
    /// is streamed to a file in the pull's own directory, hashed, and checked against its digest
    /// and size; a pull by digest checks the manifest's digest. Each layer is unpacked while it
    /// downloads, on a second thread, and its content checked against the config's diff_id;
    /// only when every check has passed do the blobs and layers enter the store (under its
    /// lock, as an import's do), so a failed pull leaves the store unchanged.
    @discardableResult
    public func pull(_ reference: ImageReference, name: String? = nil, options: RegistryOptions = RegistryOptions())
        throws -> PullResult
    {
        let imageName = name ?? reference.description
        try ImageStore.validateName(imageName)
        let client = RegistryClient(reference, options: options, actions: "pull")
        let download = try DownloadDirectory(in: downloadsDirectory)
        defer { download.remove() }
        let stage = download.path
        for sub in ["/blobs", "/layers"] { try Syscall.makeDirectory(stage + sub) }
        let (manifestBytes, manifestDescriptor) = try fetchManifest(reference, client)
        let manifest = try JSONCoding.decode(
            ImageManifest.self, from: manifestBytes, what: "manifest \(manifestDescriptor.digest) from \(reference.registry)")
        try validate(manifest, manifestDescriptor)
        try Syscall.writeAtomically(manifestBytes, to: stage + "/blobs/" + manifestDescriptor.digest.hex)
        var pull = LayerPull(store: self, client: client, stage: stage)
        let config = try pull.config(manifest.config)
        guard config.rootfs.diffIDs.count == manifest.layers.count else {
            throw ContainerError(
                .malformed,
                "config \(manifest.config.digest) of \(reference) lists \(config.rootfs.diffIDs.count) diff_ids for \(manifest.layers.count) layers; nothing was stored")
        }
        let layers = Array(zip(manifest.layers, config.rootfs.diffIDs))
        try refusing(reference) {
            for (layer, diffID) in layers { try pull.layer(layer, diffID: diffID) }
        }
        try StoreLock.withExclusive(lockPath) {
            try refusing(reference) { try pull.unpackLayersRemovedMeanwhile(layers) }
            try commit([(imageName, manifestDescriptor)], stage: stage)
            try collectGarbageLocked()
        }
        return PullResult(
            name: imageName, digest: manifestDescriptor.digest, downloaded: pull.downloaded, skipped: pull.skipped)
    }

    /// Runs `body`, naming `reference` in a refusal it throws.
    private func refusing(_ reference: ImageReference, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ContainerError where !error.message.hasSuffix("nothing was stored") {
            throw ContainerError(error.code, "\(reference) refused: \(error.message); nothing was stored", cause: error.cause)
        }
    }

    /// The image manifest of `reference` and its descriptor, going through an index to the
    /// linux manifest for this architecture; digests are checked where the caller pinned one.
    private func fetchManifest(_ reference: ImageReference, _ client: RegistryClient) throws
        -> ([UInt8], Descriptor)
    {
        var (bytes, mediaType) = try client.manifest(reference.manifestReference)
        var digest = Digest(hex: SHA256Hasher.hex(of: bytes))
        if let pinned = reference.digest, pinned != digest {
            throw Self.manifestMismatch(reference, expected: pinned, got: digest)
        }
        if MediaType.indexes.contains(mediaType) {
            let index = try JSONCoding.decode(ImageIndex.self, from: bytes, what: "image index \(digest) of \(reference)")
            let wanted = "linux/" + ImageStore.architecture
            guard let chosen = index.manifests.first(where: { $0.platform.map { "\($0.os)/\($0.architecture)" } == wanted })
            else {
                let offered = index.manifests.compactMap { $0.platform.map { "\($0.os)/\($0.architecture)" } }
                throw ContainerError(
                    .notFound,
                    "\(reference) has no \(wanted) image (it offers \(offered.isEmpty ? "no platforms" : offered.joined(separator: ", ")))")
            }
            (bytes, mediaType) = try client.manifest(chosen.digest.description)
            digest = Digest(hex: SHA256Hasher.hex(of: bytes))
            guard digest == chosen.digest else { throw Self.manifestMismatch(reference, expected: chosen.digest, got: digest) }
        }
        guard MediaType.manifests.contains(mediaType) else {
            throw ContainerError(
                .unsupportedMediaType, "\(reference) gave a '\(mediaType)' where an image manifest belongs; nothing was stored")
        }
        return (bytes, Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count)))
    }

    private static func manifestMismatch(_ reference: ImageReference, expected: Digest, got: Digest) -> ContainerError {
        ContainerError(
            .digestMismatch,
            "manifest of \(reference) from \(reference.registry): expected \(expected), got \(got); nothing was stored")
    }

    /// Where pulls download, `<store>/downloads`.
    var downloadsDirectory: String { directory + "/downloads" }
}
