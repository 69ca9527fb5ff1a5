/// Reads an OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/…`),
/// verifying every blob against its descriptor.
struct LayoutReader {
    /// The layout directory.
    let path: String

    /// The `oci-layout` file this store writes.
    static let layoutFileBytes = Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)

    /// Refuses a directory without a version 1.0.x `oci-layout` file.
    func checkLayoutFile() throws {
        struct LayoutFile: Decodable { var imageLayoutVersion: String }
        let file = path + "/oci-layout"
        guard try Syscall.lstatIfExists(file) != nil else {
            throw ContainerError(.malformed, "'\(path)' is not an OCI image layout: it has no oci-layout file")
        }
        let layout = try JSONCoding.decode(
            LayoutFile.self,
            from: try Syscall.readFile(file),
            what: "oci-layout"
        )
        guard layout.imageLayoutVersion.hasPrefix("1.") else {
            throw ContainerError(
                .unsupportedMediaType,
                "OCI layout version \(layout.imageLayoutVersion) is not supported"
            )
        }
    }

    /// The layout's `index.json`.
    func index() throws -> ImageIndex {
        let file = path + "/index.json"
        guard try Syscall.lstatIfExists(file) != nil else {
            throw ContainerError(.malformed, "'\(path)' is not an OCI image layout: it has no index.json")
        }
        return try JSONCoding.decode(ImageIndex.self, from: try Syscall.readFile(file), what: "index.json")
    }

    /// The path of the blob with `digest`; refuses a missing blob.
    func blobPath(_ descriptor: Descriptor) throws -> String {
        let blob = path + "/blobs/sha256/" + descriptor.digest.hex
        guard try Syscall.lstatIfExists(blob) != nil else {
            throw ContainerError(
                .missingBlob,
                "blob \(descriptor.digest) (\(descriptor.mediaType)) is missing from the image"
            )
        }
        return blob
    }

    /// Copies the blob of `descriptor` to `destination`, verifying its size and SHA-256 on the way.
    func copyBlob(_ descriptor: Descriptor, to destination: String) throws {
        let source = HashingSource(try FileSource(path: try blobPath(descriptor)))
        let sink = try FileSink(creating: destination)
        // One byte past the declared size is enough to tell that the blob is too long.
        try source.copy(to: sink, maximumBytes: descriptor.size + 1)
        try sink.close()
        let actual = source.hasher.finalizeHex()
        guard source.byteCount == descriptor.size else {
            throw ContainerError(
                .digestMismatch,
                "blob \(descriptor.digest) has \(source.byteCount)\(source.byteCount > descriptor.size ? "+" : "") bytes, its descriptor says \(descriptor.size)"
            )
        }
        guard actual == descriptor.digest.hex else {
            throw ContainerError(
                .digestMismatch,
                "blob \(descriptor.digest) has content with digest sha256:\(actual)"
            )
        }
    }
}
