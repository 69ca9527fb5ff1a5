import Glibc

extension ImageStore {
    /// Writes the images named by `references` (names or manifest digests) to `path` as an OCI
    /// archive: a tar of an OCI layout (`oci-layout`, `index.json` naming each image by
    /// `org.opencontainers.image.ref.name`, `blobs/sha256/…`), as `docker save`, `skopeo copy
    /// oci-archive:` and `umoci` read it; `importImage` (`corral image load`) reads it back.
    ///
    /// Every blob is checked against its digest as it is copied. The archive appears at `path`
    /// whole or not at all: it is written beside it, synced, then renamed.
    public func save(_ references: [String], to path: String) throws {
        guard !references.isEmpty else { throw ContainerError(.invalidArgument, "name at least one image to save") }
        let index = try readIndex()
        var layout = ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [])
        var blobs: [Descriptor] = []
        var seen = Set<Digest>()
        for reference in references {
            let found = try descriptor(reference, in: index)
            let name = found.refName ?? reference
            let image = try resolve(found, name: name)
            layout.name(found, name)
            for blob in [found, image.manifest.config] + image.manifest.layers where seen.insert(blob.digest).inserted {
                blobs.append(blob)
            }
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            let sink = try FileSink(creating: temporary)
            let writer = TarWriter(sink)
            try Self.appendFile("oci-layout", LayoutReader.layoutFileBytes, to: writer)
            try Self.appendFile("index.json", try JSONCoding.encode(layout), to: writer)
            for directory in ["blobs/", "blobs/sha256/"] {
                try writer.append(TarEntry(path: directory, kind: .directory, mode: 0o755))
            }
            for blob in blobs { try appendBlob(blob, to: writer) }
            try writer.finish()
            try sink.close()
            try Syscall.rename(temporary, path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Gives the image named `reference` (a name or a manifest digest) the name `name` too, as
    /// `docker tag` does; an image that had `name` loses it. Both names share every blob and
    /// layer; removing one leaves the other whole.
    @discardableResult
    public func tag(_ reference: String, as name: String) throws -> ImageSummary {
        try ImageStore.validateName(name)
        try StoreLock.withExclusive(lockPath) {
            var index = try readIndex()
            index.name(try descriptor(reference, in: index), name)
            try writeIndex(index)
        }
        guard let summary = try list().first(where: { $0.name == name }) else {
            throw ContainerError(.notFound, "image '\(name)' is not in \(directory) after tagging")
        }
        return summary
    }

    private static func appendFile(_ path: String, _ bytes: [UInt8], to writer: TarWriter) throws {
        var entry = TarEntry(path: path, kind: .regular, mode: 0o644)
        entry.size = Int64(bytes.count)
        try writer.append(entry, content: MemorySource(bytes))
    }

    /// Copies a stored blob into the archive, hashing it on the way: a blob that no longer
    /// matches its digest (a damaged store) fails the save instead of being passed on.
    private func appendBlob(_ blob: Descriptor, to writer: TarWriter) throws {
        let path = blobsDirectory + "/" + blob.digest.hex
        guard let info = try Syscall.lstatIfExists(path), Syscall.type(info.st_mode) == S_IFREG else {
            throw ContainerError(.missingBlob, "blob \(blob.digest) is missing from the store \(directory)")
        }
        var entry = TarEntry(path: "blobs/sha256/" + blob.digest.hex, kind: .regular, mode: 0o644)
        entry.size = Int64(info.st_size)
        let source = HashingSource(try FileSource(path: path, noFollow: true))
        try writer.append(entry, content: source)
        guard source.hasher.finalizeHex() == blob.digest.hex else {
            throw ContainerError(.digestMismatch, "stored blob \(blob.digest) is corrupt; not saved")
        }
    }
}
