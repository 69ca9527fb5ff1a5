import Foundation
import Glibc

extension RegistryClient {
    /// The manifest media types a pull accepts, as its `Accept` header lists them.
    static let acceptedManifests = [
        MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList,
    ]

    /// Fetches the manifest (or index) named `reference` (a tag or a digest): its bytes and media type.
    func manifest(_ reference: String) throws -> (bytes: [UInt8], mediaType: String) {
        let response = try send(
            "GET", try url("manifests/" + reference),
            headers: ["Accept": Self.acceptedManifests.joined(separator: ", ")], limit: 4 << 20)
        guard response.status == 200 else {
            throw failure(response, reference.hasPrefix("sha256:") ? "manifest \(reference)" : "tag '\(reference)'")
        }
        var mediaType = response.header("content-type")?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if !Self.acceptedManifests.contains(mediaType) {
            // Some registries answer `application/json`; the document's own mediaType then decides.
            struct Typed: Decodable { var mediaType: String? }
            mediaType = (try? JSONCoding.decode(Typed.self, from: response.body, what: "manifest"))?.mediaType ?? mediaType
        }
        guard Self.acceptedManifests.contains(mediaType) else {
            throw ContainerError(
                .unsupportedMediaType,
                "\(registry)/\(repository):\(reference) is a '\(mediaType)', not an OCI or Docker schema 2 manifest or index; nothing was stored")
        }
        return (response.body, mediaType)
    }

    /// Downloads the blob of `blob` to a new file at `path`, hashing it on the way, and checks
    /// its size and digest. A transfer that breaks off is resumed with a `Range` request when
    /// the registry answers `206`, and restarted when it answers `200`; `what` names the blob
    /// in errors (`layer`, `config`). With `growing`, a reader can follow the file as it is
    /// written: it learns of every byte written, of a restart, and of how the download ended
    /// (complete only once the digest checked out).
    func downloadBlob(_ blob: Descriptor, to path: String, what: String, growing: GrowingFile? = nil) throws {
        do {
            let download = try BlobDownload(blob, path: path, progress: progress, growing: growing)
            try fetch(blob, into: download, what: what)
        } catch {
            growing?.end(.failed)
            throw error
        }
        growing?.end(.complete)
    }

    private func fetch(_ blob: Descriptor, into download: BlobDownload, what: String) throws {
        let location = try url("blobs/" + blob.digest.description)
        var attempts = 0
        while download.received < blob.size {
            attempts += 1
            let headers = download.received > 0 ? ["Range": "bytes=\(download.received)-"] : [:]
            let response = try send("GET", location, headers: headers, sink: download)
            guard (200..<300).contains(response.status) else { throw failure(response, "\(what) \(blob.digest)") }
            if download.received < blob.size && attempts >= 5 {
                throw ContainerError(
                    .registry,
                    "\(what) \(blob.digest) from \(registry) broke off \(attempts) times (\(download.received) of \(blob.size) bytes); nothing was stored",
                    cause: response.interruption ?? "the answer ended early")
            }
        }
        try download.finish(what: "\(what) \(blob.digest) from \(registry)")
    }
}

/// A blob being written to its staging file while it is hashed; resumes or restarts. Bytes
/// gather in a buffer and reach the file (and the hash) a mebibyte at a time: libcurl hands
/// them over 16 KiB at a call.
final class BlobDownload: RegistryBodySink {
    private let blob: Descriptor
    private let file: FileSink
    private var hasher = SHA256Hasher()
    private let progress: (@Sendable (Descriptor, Int64) -> Void)?
    private let growing: GrowingFile?
    private var pending: [UInt8] = []
    private static let flushSize = 1 << 20
    /// Bytes received so far (in the file or the buffer).
    private(set) var received: Int64 = 0

    init(
        _ blob: Descriptor, path: String, progress: (@Sendable (Descriptor, Int64) -> Void)?, growing: GrowingFile? = nil
    ) throws {
        self.blob = blob
        self.progress = progress
        self.growing = growing
        file = try FileSink(creating: path)
        pending.reserveCapacity(Self.flushSize)
    }

    func begin(status: Int, headers: [String: String]) throws {
        if status == 206, received > 0, headers["content-range"]?.hasPrefix("bytes \(received)-") == true { return }
        // A full answer (the registry ignored the Range): start the file over.
        guard ftruncate(file.fileDescriptor, 0) == 0, lseek(file.fileDescriptor, 0, SEEK_SET) == 0 else {
            throw ContainerError.errno("restart download into", "blob \(blob.digest)")
        }
        hasher = SHA256Hasher()
        pending.removeAll(keepingCapacity: true)
        received = 0
        growing?.grew(to: 0)
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard received + Int64(buffer.count) <= blob.size else {
            throw ContainerError(
                .digestMismatch, "blob \(blob.digest) is longer than its descriptor's \(blob.size) bytes; nothing was stored")
        }
        pending.append(contentsOf: buffer)
        received += Int64(buffer.count)
        if pending.count >= Self.flushSize { try flush() }
        progress?(blob, received)
    }

    /// Writes the buffer to the file and tells a reader.
    private func flush() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { bytes in
            hasher.update(bytes)
            try file.write(bytes)
        }
        pending.removeAll(keepingCapacity: true)
        growing?.grew(to: received)
    }

    /// Syncs the file and checks its size and digest.
    func finish(what: String) throws {
        try flush()
        try file.close()
        let actual = hasher.finalizeHex()
        guard received == blob.size, actual == blob.digest.hex else {
            throw ContainerError(
                .digestMismatch,
                "\(what): expected \(blob.digest) (\(blob.size) bytes), got sha256:\(actual) (\(received) bytes); nothing was stored")
        }
    }
}
