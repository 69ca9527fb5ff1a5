import CorralContainer
import Foundation
import Glibc
import NIOCore
import NIOPosix

/// One blob upload in progress: `uploads/<id>/data` and the running SHA-256 of what it holds.
///
/// `@unchecked Sendable`: `UploadSessions` lends a session to one request at a time and takes
/// it back when that request ends, so its mutable state is never touched by two tasks at once.
final class UploadSession: @unchecked Sendable {
    /// The upload's id, a lowercase UUID (the last part of its URL).
    let id: String
    /// The repository the upload belongs to.
    let repository: RepositoryName
    /// `uploads/<id>`.
    let directory: String
    /// How many bytes `data` holds.
    private(set) var size: Int64
    /// The SHA-256 of those bytes.
    private var hasher: SHA256Hasher

    var dataPath: String { directory + "/data" }

    init(id: String, repository: RepositoryName, directory: String, size: Int64, hasher: SHA256Hasher) {
        self.id = id
        self.repository = repository
        self.directory = directory
        self.size = size
        self.hasher = hasher
    }

    /// Appends every buffer of `body` to `data`, hashing as it goes; returns how many bytes came.
    /// Whatever arrived before a failure (a dropped connection) stays, and `size` and the hash
    /// agree with the file. The writes are plain `write(2)` calls into the page cache; the one
    /// slow call, `fsync`, runs on NIO's thread pool in `finish`.
    /// A body longer than `limit` throws `tooLong` (by default: longer than its headers said);
    /// none of the buffer that passed the limit is written.
    func append<Body: AsyncSequence>(
        _ body: Body, limit: Int64 = .max, tooLong: RegistryError? = nil
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        let path = dataPath
        let descriptor = try Syscall.retrying("open upload", path) { open(path, O_WRONLY | O_APPEND | O_CLOEXEC) }
        defer { close(descriptor) }
        var received: Int64 = 0
        for try await buffer in body {
            received += Int64(buffer.readableBytes)
            guard received <= limit else {
                throw tooLong ?? RegistryError(.sizeInvalid, "the request body is longer than its Content-Length or Content-Range says")
            }
            try buffer.withUnsafeReadableBytes { bytes in
                var offset = 0
                do {
                    while offset < bytes.count {
                        let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
                        offset += try Syscall.retrying("write upload", path) { write(descriptor, rest.baseAddress, rest.count) }
                    }
                } catch {
                    // A buffer written in part (disk full) is cut off, so the file and the hash still agree.
                    _ = ftruncate(descriptor, off_t(size))
                    throw error
                }
                hasher.update(bytes)
            }
            size += Int64(buffer.readableBytes)
        }
        return received
    }

    /// Flushes `data` to disk and returns its digest; the session cannot take more bytes after.
    func finish() async throws -> Digest {
        let path = dataPath
        try await NIOThreadPool.singleton.runIfActive {
            let descriptor = try Syscall.retrying("open upload", path) { open(path, O_RDONLY | O_CLOEXEC) }
            defer { close(descriptor) }
            try Syscall.retrying("fsync upload", path) { fsync(descriptor) }
        }
        return try Digest(parsing: "sha256:" + hasher.finalizeHex())
    }

    /// The session of an upload that was on disk before this server started: its hash is
    /// rebuilt by reading `data` on NIO's thread pool.
    static func resume(id: String, repository: RepositoryName, directory: String) async throws -> UploadSession {
        let path = directory + "/data"
        return try await NIOThreadPool.singleton.runIfActive {
            let hasher = SHA256Hasher()
            let descriptor = try Syscall.retrying("open upload", path) { open(path, O_RDONLY | O_CLOEXEC) }
            defer { close(descriptor) }
            var chunk = [UInt8](repeating: 0, count: 256 * 1024)
            var total: Int64 = 0
            while true {
                let count = try chunk.withUnsafeMutableBytes { buffer in
                    try Syscall.retrying("read upload", path) { read(descriptor, buffer.baseAddress, buffer.count) }
                }
                if count == 0 { break }
                chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                total += Int64(count)
            }
            return UploadSession(id: id, repository: repository, directory: directory, size: total, hasher: hasher)
        }
    }
}
