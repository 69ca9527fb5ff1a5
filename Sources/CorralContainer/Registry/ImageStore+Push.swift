extension ImageStore {
    /// Pushes the image named `name` (a name or manifest digest) to `reference`: every blob the
    /// registry lacks is uploaded (config and layers, each checked with a `HEAD` first), then the
    /// manifest is put under the reference's tag (or digest). Returns the manifest digest.
    @discardableResult
    public func push(_ name: String, to reference: ImageReference, options: RegistryOptions = RegistryOptions())
        throws -> Digest
    {
        let found = try descriptor(name, in: readIndex())
        let image = try resolve(found, name: found.refName ?? name)
        let manifestBytes = try readBlob(found)
        if let pinned = reference.digest, pinned != found.digest {
            throw ContainerError(
                .invalidArgument, "image '\(name)' has digest \(found.digest), not the \(pinned) that \(reference) names")
        }
        let client = RegistryClient(reference, options: options, actions: "pull,push")
        var seen = Set<Digest>()
        for blob in [image.manifest.config] + image.manifest.layers where seen.insert(blob.digest).inserted {
            if try client.hasBlob(blob.digest) {
                options.progress?(blob, blob.size)
                continue
            }
            let path = blobsDirectory + "/" + blob.digest.hex
            guard try Syscall.lstatIfExists(path) != nil else {
                throw ContainerError(.missingBlob, "blob \(blob.digest) of '\(name)' is missing from the store \(directory)")
            }
            try client.uploadBlob(blob, from: path)
        }
        return try client.putManifest(manifestBytes, mediaType: found.mediaType, reference: reference.manifestReference)
    }
}
