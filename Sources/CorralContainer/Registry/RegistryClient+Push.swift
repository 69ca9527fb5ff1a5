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

    /// Uploads the file at `path` as the blob of `blob`: a `POST` opens an upload; a blob up to
    /// `chunkSize` goes in one `PUT` with the digest (streamed from disk), a bigger one in `PATCH`
    /// chunks of `chunkSize` (one in memory at a time) and a closing `PUT`.
    func uploadBlob(_ blob: Descriptor, from path: String) throws {
        let start = try send("POST", try url("blobs/uploads/"))
        guard start.status == 202 else { throw failure(start, "opening an upload for \(blob.digest)") }
        var location = try uploadLocation(start, blob)
        progress?(blob, 0)
        var body = RegistryHTTP.Body.file(path)
        if blob.size > chunkSize {
            let file = try FileSource(path: path, noFollow: true)
            var offset: Int64 = 0
            while offset < blob.size {
                var chunk = [UInt8](repeating: 0, count: Int(min(chunkSize, blob.size - offset)))
                guard try chunk.withUnsafeMutableBytes({ try file.readFully(into: $0) }) == chunk.count else {
                    throw ContainerError(.io, "stored blob \(blob.digest) ends before its \(blob.size) bytes")
                }
                let end = offset + Int64(chunk.count) - 1
                let response = try send(
                    "PATCH", location,
                    headers: [
                        "Content-Type": "application/octet-stream", "Content-Range": "\(offset)-\(end)",
                        "Content-Length": String(chunk.count),
                    ],
                    body: .bytes(chunk))
                guard response.status == 202 else { throw failure(response, "upload of \(blob.digest) at \(offset)") }
                location = try uploadLocation(response, blob)
                offset = end + 1
                progress?(blob, offset)
            }
            body = .none
        }
        guard var components = URLComponents(url: location, resolvingAgainstBaseURL: true) else {
            throw ContainerError(.registry, "\(registry) gave upload location '\(location)'")
        }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "digest", value: blob.digest.description)]
        // ':' is legal in a query, but some registries want it escaped.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: ":", with: "%3A")
        guard let target = components.url else { throw ContainerError(.registry, "\(registry) gave upload location '\(location)'") }
        let length = blob.size > chunkSize ? 0 : blob.size
        let finish = try send(
            "PUT", target, headers: ["Content-Type": "application/octet-stream", "Content-Length": String(length)], body: body)
        guard finish.status == 201 else { throw failure(finish, "upload of \(blob.digest)") }
        progress?(blob, blob.size)
    }

    /// The absolute URL of the `Location` an upload answer names.
    private func uploadLocation(_ response: RegistryResponse, _ blob: Descriptor) throws -> URL {
        guard let location = response.header("location"), let url = URL(string: location, relativeTo: try url(""))?.absoluteURL
        else { throw ContainerError(.registry, "\(registry) answered an upload of \(blob.digest) without a Location") }
        return url
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
