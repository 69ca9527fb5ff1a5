import Foundation

extension RegistryClient {
    /// Whether the registry already has the blob with `digest`.
    func hasBlob(_ digest: Digest) throws -> Bool {
        let response = try send("HEAD", try url("blobs/" + digest.description))
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw failure(response, "checking blob \(digest)")
        }
    }

    /// Uploads the file at `path` as the blob of `blob`: a `POST` opens an upload, one `PUT` with
    /// the digest sends the whole file (streamed from disk) and closes it.
    func uploadBlob(_ blob: Descriptor, from path: String) throws {
        let start = try send("POST", try url("blobs/uploads/"))
        guard start.status == 202, let location = start.header("location"),
            let base = URL(string: location, relativeTo: try url(""))?.absoluteURL,
            var components = URLComponents(url: base, resolvingAgainstBaseURL: true)
        else { throw failure(start, "opening an upload for \(blob.digest)") }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "digest", value: blob.digest.description)]
        // ':' is legal in a query, but some registries want it escaped.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: ":", with: "%3A")
        guard let target = components.url else { throw ContainerError(.registry, "\(registry) gave upload location '\(location)'") }
        progress?(blob, 0)
        let finish = try send(
            "PUT", target,
            headers: ["Content-Type": "application/octet-stream", "Content-Length": String(blob.size)],
            body: .file(path))
        guard finish.status == 201 else { throw failure(finish, "upload of \(blob.digest)") }
        progress?(blob, blob.size)
    }

    /// Puts `bytes` as the manifest named `reference` (a tag or digest) with `mediaType`; returns
    /// the digest the registry reports (or the bytes' own).
    func putManifest(_ bytes: [UInt8], mediaType: String, reference: String) throws -> Digest {
        let response = try send(
            "PUT", try url("manifests/" + reference), headers: ["Content-Type": mediaType], body: .bytes(bytes))
        guard response.status == 201 || response.status == 200 else {
            throw failure(response, "manifest put as \(reference)")
        }
        let own = Digest(hex: SHA256Hasher.hex(of: bytes))
        if let reported = response.header("docker-content-digest"), let digest = try? Digest(parsing: reported), digest != own {
            throw ContainerError(.digestMismatch, "\(registry) stored the manifest as \(digest), but its bytes are \(own)")
        }
        return own
    }
}
