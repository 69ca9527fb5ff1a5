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
    /// is streamed to a staging file, hashed, and checked against its digest and size; a pull by
    /// digest checks the manifest's digest. The image then enters the store as an import does
    /// (every blob verified again, every layer unpacked under the store's rules), so a failed
    /// pull leaves the store unchanged.
    @discardableResult
    public func pull(_ reference: ImageReference, name: String? = nil, options: RegistryOptions = RegistryOptions())
        throws -> PullResult
    {
        let imageName = name ?? reference.description
        try ImageStore.validateName(imageName)
        let client = RegistryClient(reference, options: options, actions: "pull")
        let download = try DownloadDirectory(in: downloadsDirectory)
        defer { download.remove() }
        let layout = download.path + "/layout"
        try RootfsLayoutWriter.begin(layout)
        let (manifestBytes, manifestDescriptor) = try fetchManifest(reference, client)
        let manifest = try JSONCoding.decode(
            ImageManifest.self, from: manifestBytes, what: "manifest \(manifestDescriptor.digest) from \(reference.registry)")
        try validate(manifest, manifestDescriptor)
        try Syscall.writeAtomically(manifestBytes, to: layout + "/blobs/sha256/" + manifestDescriptor.digest.hex)
        var result = PullResult(name: imageName, digest: manifestDescriptor.digest, downloaded: [], skipped: [])
        var seen = Set<Digest>()
        for (blob, what) in [(manifest.config, "config")] + manifest.layers.map({ ($0, "layer") })
        where seen.insert(blob.digest).inserted {
            let stored = blobsDirectory + "/" + blob.digest.hex
            if try Syscall.lstatIfExists(stored) != nil {
                try Self.copyBlob(stored, to: layout, blob.digest)
                result.skipped.append(blob.digest)
                continue
            }
            let partial = layout + "/blobs/" + blob.digest.hex + ".partial"
            try client.downloadBlob(blob, to: partial, what: what)
            try Syscall.rename(partial, layout + "/blobs/sha256/" + blob.digest.hex)
            result.downloaded.append(blob.digest)
        }
        var index = ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [])
        index.name(manifestDescriptor, imageName)
        try Syscall.writeAtomically(try JSONCoding.encode(index), to: layout + "/index.json")
        try StoreLock.withExclusive(lockPath) {
            do {
                _ = try withStage { stage in try importLayout(LayoutReader(path: layout), name: imageName, stage: stage) }
            } catch let error as ContainerError {
                throw ContainerError(
                    error.code, "\(reference) refused: \(error.message); nothing was stored", cause: error.cause)
            }
            try collectGarbageLocked()
        }
        return result
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
