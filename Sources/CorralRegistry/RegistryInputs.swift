import Foundation

/// The registry's parsers of request parts, opened to the fuzz harness (`corral fuzz`).
public enum RegistryInputs {
    /// Parses a request path, query and upload headers as `corral registry serve` does;
    /// returns whether the path names a registry route. Throws the registry's refusal.
    public static func parseRequest(path: String, query: String, contentRange: String?, contentLength: String?) throws
        -> Bool
    {
        _ = QueryParameters(query)
        _ = try ChunkBounds.limit(uploaded: 0, contentRange: contentRange, contentLength: contentLength)
        return try RegistryRoute.parse(path) != nil
    }

    /// Parses a pushed manifest with its `Content-Type`, as a manifest PUT does.
    public static func parseManifest(_ bytes: [UInt8], contentType: String?) throws {
        _ = try ManifestDocument(bytes, contentType: contentType)
    }

    /// Runs a sequence of upload chunks (`Content-Range`, `Content-Length`, body length) through
    /// the checks a `PATCH`/`PUT` makes, on a registry whose blobs may reach `maxBlobBytes`;
    /// returns the bytes the upload holds after the last chunk accepted. A chunk is refused
    /// as the registry would refuse it (the refusal is thrown).
    public static func uploadChunks(
        _ chunks: [(contentRange: String?, contentLength: String?, bodyBytes: Int64)], maxBlobBytes: Int64
    ) throws -> Int64 {
        var uploaded: Int64 = 0
        for chunk in chunks {
            let allowance = try ChunkBounds.allowance(
                uploaded: uploaded, contentRange: chunk.contentRange, contentLength: chunk.contentLength, maxBlobBytes: maxBlobBytes)
            if chunk.bodyBytes > allowance.limit {
                throw allowance.tooLong ?? RegistryError(.sizeInvalid, "the request body is longer than its headers say")
            }
            if allowance.declared, chunk.bodyBytes != allowance.limit {
                throw RegistryError(.sizeInvalid, "the upload was cut short")
            }
            uploaded += max(0, chunk.bodyBytes)
        }
        return uploaded
    }

    /// The paths under `storage`'s root a request path would read or write (made by the
    /// storage's own path functions), or nil when it names no route; throws the registry's
    /// refusal. A caller checks that each lies inside the root.
    public static func storagePaths(_ path: String, storage: RegistryStorage) throws -> [String]? {
        guard let route = try RegistryRoute.parse(path) else { return nil }
        switch route {
        case .base, .catalog: return []
        case .tags(let name), .uploads(let name): return [storage.repositoryPath(name), storage.tagsDirectory(name)]
        case .manifest(let name, let reference):
            switch try ManifestReference(reference) {
            case .tag(let tag): return [storage.tagsDirectory(name) + "/" + tag]
            case .digest(let digest): return [storage.revisionLink(name, digest), storage.blobPath(digest)]
            }
        case .blob(let name, let text):
            let digest = try parseDigest(text)
            return [storage.layerLink(name, digest), storage.blobPath(digest)]
        case .upload(let name, let id):
            guard let uuid = UUID(uuidString: id), uuid.uuidString.lowercased() == id else {
                throw RegistryError(.blobUploadUnknown, "no upload \(id)")
            }
            return [storage.repositoryPath(name), storage.uploadsDirectory + "/" + id]
        }
    }
}
