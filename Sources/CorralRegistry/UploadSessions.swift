import CorralContainer
import Foundation
import Glibc
import Synchronization

/// The uploads in progress. Each is lent to one request at a time (`checkOut`) and given
/// back when the request ends (`checkIn`), or finished or cancelled (`discard`). An upload
/// found on disk but not in memory (the server restarted) is taken over with its hash rebuilt.
final class UploadSessions: Sendable {
    private struct State {
        var idle: [String: UploadSession] = [:]
        var busy: Set<String> = []
    }

    private let storage: RegistryStorage
    private let state = Mutex(State())

    init(storage: RegistryStorage) { self.storage = storage }

    /// Starts an upload to `repository`, checked out to the caller.
    func start(_ repository: RepositoryName) throws -> UploadSession {
        let id = UUID().uuidString.lowercased()
        let directory = storage.uploadsDirectory + "/" + id
        try Syscall.makeDirectory(directory)
        try FileSink(creating: directory + "/data").close(sync: false)
        try Syscall.writeAtomically(Array(repository.value.utf8), to: directory + "/repository")
        state.withLock { _ = $0.busy.insert(id) }
        return UploadSession(id: id, repository: repository, directory: directory, size: 0, hasher: SHA256Hasher())
    }

    /// Lends upload `id` of `repository` to the caller: `BLOB_UPLOAD_UNKNOWN` when there is no
    /// such upload, `BLOB_UPLOAD_INVALID` when another request is writing to it.
    func checkOut(_ id: String, _ repository: RepositoryName) async throws -> UploadSession {
        guard let uuid = UUID(uuidString: id), uuid.uuidString.lowercased() == id else { throw unknown(id) }
        enum Found { case session(UploadSession), busy, onDisk }
        let found: Found = state.withLock { state in
            if state.busy.contains(id) { return .busy }
            state.busy.insert(id)
            if let session = state.idle.removeValue(forKey: id) { return .session(session) }
            return .onDisk
        }
        switch found {
        case .busy:
            throw RegistryError(
                .blobUploadInvalid, "another request is writing to upload \(id); wait for it, then GET the upload's status",
                status: 409)
        case .session(let session):
            guard session.repository == repository else {
                checkIn(session)
                throw unknown(id)
            }
            return session
        case .onDisk:
            do {
                return try await resume(id, repository)
            } catch {
                _ = state.withLock { $0.busy.remove(id) }
                throw error
            }
        }
    }

    /// Gives a checked-out upload back, for the next request to continue.
    func checkIn(_ session: UploadSession) {
        state.withLock { state in
            state.busy.remove(session.id)
            state.idle[session.id] = session
        }
    }

    /// Ends a checked-out upload and removes its files.
    func discard(_ session: UploadSession) {
        try? Syscall.removeTree(session.directory)
        _ = state.withLock { $0.busy.remove(session.id) }
    }

    private func resume(_ id: String, _ repository: RepositoryName) async throws -> UploadSession {
        let directory = storage.uploadsDirectory + "/" + id
        guard try Syscall.lstatIfExists(directory + "/data") != nil,
            let owner = try? Syscall.readFile(directory + "/repository", limit: 512),
            String(decoding: owner, as: UTF8.self) == repository.value
        else { throw unknown(id) }
        return try await UploadSession.resume(id: id, repository: repository, directory: directory)
    }

    private func unknown(_ id: String) -> RegistryError {
        RegistryError(
            .blobUploadUnknown, "upload '\(id)' is not known in this repository; start a new one with POST .../blobs/uploads/",
            detail: ["upload": id])
    }
}
