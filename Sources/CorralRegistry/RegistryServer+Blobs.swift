import CorralContainer
import Hummingbird
import NIOCore

extension RegistryServer {
    /// `GET`/`HEAD /v2/<name>/blobs/<digest>`: the blob streamed from disk, or the part a
    /// `Range: bytes=a-b` asks for (206 with `Content-Range`).
    func getBlob(
        _ name: RepositoryName, _ digest: Digest, _ request: Request, _ context: BasicRequestContext, head: Bool
    ) async throws -> Response {
        guard let size = try storage.layerSize(name, digest) else {
            throw RegistryError(.blobUnknown, "blob \(digest) is not in repository \(name)", detail: ["digest": digest.description])
        }
        var headers = [
            "Docker-Content-Digest": digest.description, "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
        ]
        var range = 0...max(0, Int(size) - 1)
        var status = HTTPResponse.Status.ok
        if let text = request.headers[.range] {
            guard let wanted = Self.byteRange(text, size: size) else {
                throw RegistryError(
                    .rangeInvalid, "range '\(text)' does not fit blob \(digest) of \(size) bytes; ask for bytes=a-b with b < \(size)",
                    headers: ["Content-Range": "bytes */\(size)"])
            }
            range = wanted
            status = .partialContent
            headers["Content-Range"] = "bytes \(wanted.lowerBound)-\(wanted.upperBound)/\(size)"
        }
        let length = size == 0 ? 0 : range.count
        headers["Content-Length"] = String(length)
        var fields = Self.fields(headers)
        fields[.contentLength] = String(length)
        if head || length == 0 { return Response(status: status, headers: fields, body: .init()) }
        let body = try await FileIO().loadFile(path: storage.blobPath(digest), range: range, context: context)
        return Response(status: status, headers: fields, body: body)
    }

    /// `DELETE /v2/<name>/blobs/<digest>`: the repository stops serving the blob (202); its
    /// bytes go at the next garbage collection unless another repository still links them.
    func deleteBlob(_ name: RepositoryName, _ digest: Digest) throws -> Response {
        guard try storage.unlinkLayer(name, digest) else {
            throw RegistryError(.blobUnknown, "blob \(digest) is not in repository \(name)", detail: ["digest": digest.description])
        }
        return Self.response(.accepted, headers: ["Docker-Content-Digest": digest.description])
    }

    /// The inclusive range `bytes=a-b`, `bytes=a-` or `bytes=-n` names in a blob of `size`
    /// bytes, or nil when it is malformed or unsatisfiable.
    static func byteRange(_ text: String, size: Int64) -> ClosedRange<Int>? {
        guard text.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = text.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        let end = Int(size) - 1
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return nil }
            return max(0, end - suffix + 1)...end
        }
        guard let start = Int(first), start >= 0, start <= end else { return nil }
        if last.isEmpty { return start...end }
        guard let stop = Int(last), stop >= start else { return nil }
        return start...min(stop, end)
    }
}
