import CorralContainer
import Hummingbird
import NIOCore

extension RegistryServer {
    /// `POST /v2/<name>/blobs/uploads/`: a cross-repository mount (`?mount=&from=`, 201 when
    /// the other repository has the blob), a whole blob in one request (`?digest=`, 201), or a
    /// new upload session (202 with its `Location`).
    func startUpload(_ name: RepositoryName, _ request: Request, _ query: QueryParameters) async throws -> Response {
        if let mount = query["mount"], let from = query["from"] {
            let digest = try parseDigest(mount)
            if try storage.layerSize(try RepositoryName(from), digest) != nil {
                try storage.linkLayer(name, digest)
                return Self.response(.created, headers: blobHeaders(name, digest))
            }
        }
        let session = try uploads.start(name)
        guard let digestText = query["digest"] else {
            uploads.checkIn(session)
            return Self.response(.accepted, headers: progressHeaders(session))
        }
        do {
            let digest = try parseDigest(digestText)
            try await receive(request.body, into: session, request, checkRange: false)
            return try await commit(session, expecting: digest)
        } catch {
            uploads.discard(session)
            throw error
        }
    }

    /// `GET /v2/<name>/blobs/uploads/<id>`: how far the upload got (204 with `Range: 0-<last>`).
    func uploadStatus(_ name: RepositoryName, _ id: String) async throws -> Response {
        let session = try await uploads.checkOut(id, name)
        defer { uploads.checkIn(session) }
        return Self.response(.noContent, headers: progressHeaders(session))
    }

    /// `PATCH /v2/<name>/blobs/uploads/<id>`: appends a chunk; its `Content-Range` must start
    /// where the upload ends (else 416 with the upload's `Range`).
    func patchUpload(_ name: RepositoryName, _ id: String, _ request: Request) async throws -> Response {
        let session = try await uploads.checkOut(id, name)
        defer { uploads.checkIn(session) }
        try await receive(request.body, into: session, request, checkRange: true)
        return Self.response(.accepted, headers: progressHeaders(session))
    }

    /// `PUT /v2/<name>/blobs/uploads/<id>?digest=`: appends a last chunk if there is one,
    /// checks the digest over every byte received, and stores the blob (201). A wrong digest,
    /// size or range ends the upload and keeps nothing.
    func putUpload(_ name: RepositoryName, _ id: String, _ request: Request, _ query: QueryParameters) async throws -> Response {
        guard let digestText = query["digest"] else {
            throw RegistryError(.digestInvalid, "closing an upload needs the blob's digest: PUT <location>?digest=sha256:<hex>")
        }
        let digest = try parseDigest(digestText)
        let session = try await uploads.checkOut(id, name)
        do {
            try await receive(request.body, into: session, request, checkRange: true)
            return try await commit(session, expecting: digest)
        } catch {
            uploads.discard(session)
            throw error
        }
    }

    /// `DELETE /v2/<name>/blobs/uploads/<id>`: cancels the upload and removes what it received.
    func cancelUpload(_ name: RepositoryName, _ id: String) async throws -> Response {
        uploads.discard(try await uploads.checkOut(id, name))
        return Self.response(.noContent)
    }

    // MARK: - Steps

    /// Streams `body` into the upload, after checking `Content-Range` (when `checkRange`) and
    /// that as many bytes came as the request said.
    private func receive(_ body: RequestBody, into session: UploadSession, _ request: Request, checkRange: Bool) async throws {
        let allowance = try ChunkBounds.allowance(
            uploaded: session.size, contentRange: checkRange ? request.headers[.contentRange] : nil,
            contentLength: request.headers[.contentLength], maxBlobBytes: maxBlobBytes, progress: progressHeaders(session))
        let received = try await session.append(body, limit: allowance.limit, tooLong: allowance.tooLong)
        if allowance.declared, received != allowance.limit {
            throw RegistryError(
                .sizeInvalid, "the request said \(allowance.limit) bytes but \(received) came; the upload was cut short",
                detail: ["expected": String(allowance.limit), "received": String(received)])
        }
    }

    /// Verifies the upload's digest and moves it into the store, linked to its repository.
    private func commit(_ session: UploadSession, expecting digest: Digest) async throws -> Response {
        let actual = try await session.finish()
        guard actual == digest else {
            throw RegistryError(
                .digestInvalid, "the uploaded bytes have digest \(actual), not \(digest) as the request said; nothing was kept",
                detail: ["expected": digest.description, "actual": actual.description])
        }
        try storage.commitBlob(staged: session.dataPath, as: digest)
        try storage.linkLayer(session.repository, digest)
        uploads.discard(session)
        return Self.response(.created, headers: blobHeaders(session.repository, digest))
    }

    private func blobHeaders(_ name: RepositoryName, _ digest: Digest) -> [String: String] {
        ["Location": "/v2/\(name)/blobs/\(digest)", "Docker-Content-Digest": digest.description]
    }

    private func progressHeaders(_ session: UploadSession) -> [String: String] {
        [
            "Location": "/v2/\(session.repository)/blobs/uploads/\(session.id)",
            "Docker-Upload-UUID": session.id,
            "Range": "0-\(max(0, session.size - 1))",
        ]
    }
}
