import CorralContainer
import Foundation
import Hummingbird
import NIOCore

extension RegistryServer {
    /// `GET`/`HEAD /v2/<name>/manifests/<reference>`: the manifest as pushed, with the media
    /// type it was pushed with and its `Docker-Content-Digest`.
    func getManifest(_ name: RepositoryName, _ reference: ManifestReference, head: Bool) throws -> Response {
        guard let manifest = try storage.manifest(name, reference) else { throw Self.unknownManifest(name, reference) }
        let headers = [
            "Docker-Content-Digest": manifest.digest.description, "Content-Type": manifest.mediaType,
            "Content-Length": String(manifest.size),
        ]
        if head { return Response(status: .ok, headers: Self.fields(headers), body: .init()) }
        let bytes = try Syscall.readFile(storage.blobPath(manifest.digest), limit: ManifestDocument.maxBytes)
        return Self.response(.ok, headers: headers, body: bytes, contentType: manifest.mediaType)
    }

    /// `PUT /v2/<name>/manifests/<reference>`: checks the body parses as its `Content-Type`
    /// says and that every blob and manifest it names is in the repository, then stores it
    /// (and points the tag at it) — 201 with `Location` and `Docker-Content-Digest`.
    func putManifest(_ name: RepositoryName, _ reference: ManifestReference, _ request: Request) async throws -> Response {
        let bytes: [UInt8]
        do {
            bytes = Array(try await request.body.collect(upTo: ManifestDocument.maxBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw RegistryError(
                .sizeInvalid, "manifest is larger than \(ManifestDocument.maxBytes) bytes, the most this registry takes", status: 413)
        }
        let document = try ManifestDocument(bytes, contentType: request.headers[.contentType])
        let digest = try Digest(parsing: "sha256:" + SHA256Hasher.hex(of: bytes))
        if case .digest(let named) = reference, named != digest {
            throw RegistryError(
                .digestInvalid, "the manifest's digest is \(digest), not \(named) as its URL says",
                detail: ["expected": named.description, "actual": digest.description])
        }
        for blob in document.blobs {
            guard try storage.layerSize(name, blob.digest) == nil else { continue }
            throw RegistryError(
                .manifestBlobUnknown, "the manifest refers to blob \(blob.digest), which repository \(name) does not have; push it first",
                detail: ["digest": blob.digest.description])
        }
        for child in document.manifests {
            guard try storage.manifest(name, child.digest) == nil else { continue }
            throw RegistryError(
                .manifestBlobUnknown,
                "the index refers to manifest \(child.digest), which repository \(name) does not have; push it (by digest) first",
                detail: ["digest": child.digest.description])
        }
        try storage.putManifest(name, digest: digest, mediaType: document.mediaType, bytes: bytes)
        if case .tag(let tag) = reference { try storage.setTag(name, tag, digest) }
        return Self.response(
            .created, headers: ["Location": "/v2/\(name)/manifests/\(digest)", "Docker-Content-Digest": digest.description])
    }

    /// `DELETE /v2/<name>/manifests/<reference>`: by tag, removes the tag; by digest, removes
    /// the manifest and every tag naming it (202). Blobs go at the next garbage collection.
    func deleteManifest(_ name: RepositoryName, _ reference: ManifestReference) throws -> Response {
        let removed: Bool
        switch reference {
        case .tag(let tag): removed = try storage.removeTag(name, tag)
        case .digest(let digest): removed = try storage.deleteManifest(name, digest)
        }
        guard removed else { throw Self.unknownManifest(name, reference) }
        return Self.response(.accepted)
    }

    /// `GET /v2/<name>/tags/list[?n=&last=]`: the tags in lexical order, `n` at a time after
    /// `last`, with a `Link` to the next page when there is one.
    func tags(_ name: RepositoryName, _ query: QueryParameters) throws -> Response {
        guard try storage.repositoryExists(name) else {
            throw RegistryError(.nameUnknown, "repository \(name) is not known to this registry", detail: ["name": name.value])
        }
        let page = try Self.page(try storage.tags(name), query, path: "/v2/\(name)/tags/list")
        struct Body: Encodable {
            var name: String
            var tags: [String]
        }
        return try Self.json(Body(name: name.value, tags: page.items), link: page.link)
    }

    /// `GET /v2/_catalog[?n=&last=]`: the repository names, paginated as tags are.
    func catalog(_ query: QueryParameters) throws -> Response {
        let page = try Self.page(try storage.repositories(), query, path: "/v2/_catalog")
        struct Body: Encodable { var repositories: [String] }
        return try Self.json(Body(repositories: page.items), link: page.link)
    }

    // MARK: - Helpers

    /// Up to `n` of the sorted `items` after `last`, and the `Link` header to the rest.
    static func page(_ items: [String], _ query: QueryParameters, path: String) throws -> (items: [String], link: String?) {
        var rest = items
        if let last = query["last"] { rest = rest.filter { $0 > last } }
        guard let text = query["n"] else { return (rest, nil) }
        guard let count = Int(text), count >= 0 else {
            throw RegistryError(.unsupported, "n='\(text)' is not a count; give a whole number ≥ 0", status: 400)
        }
        let page = Array(rest.prefix(count))
        guard count > 0, rest.count > count, let end = page.last else { return (page, nil) }
        let escaped = end.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? end
        return (page, "<\(path)?n=\(count)&last=\(escaped)>; rel=\"next\"")
    }

    static func json(_ value: some Encodable, link: String?) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Array(try encoder.encode(value))
        return response(.ok, headers: link.map { ["Link": $0] } ?? [:], body: body, contentType: "application/json")
    }

    static func unknownManifest(_ name: RepositoryName, _ reference: ManifestReference) -> RegistryError {
        RegistryError(
            .manifestUnknown, "manifest '\(reference)' is not in repository \(name)", detail: ["reference": reference.description])
    }
}
