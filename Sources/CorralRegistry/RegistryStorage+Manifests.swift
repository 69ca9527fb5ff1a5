import CorralContainer
import Glibc

/// A manifest held by a repository.
struct StoredManifest {
    var digest: Digest
    /// The media type it was pushed with (answered as `Content-Type`).
    var mediaType: String
    var size: Int64
}

extension RegistryStorage {
    /// Stores `bytes` as manifest `digest` of repository `name`, pushed with `mediaType`.
    func putManifest(_ name: RepositoryName, digest: Digest, mediaType: String, bytes: [UInt8]) throws {
        try writeBlob(bytes, digest: digest)
        try writeAtomically(Array(mediaType.utf8), to: revisionLink(name, digest))
    }

    /// Manifest `digest` of repository `name`, or nil when the repository does not hold it.
    func manifest(_ name: RepositoryName, _ digest: Digest) throws -> StoredManifest? {
        guard try Syscall.lstatIfExists(revisionLink(name, digest)) != nil, let size = try blobSize(digest) else { return nil }
        let mediaType = String(decoding: try Syscall.readFile(revisionLink(name, digest), limit: 4096), as: UTF8.self)
        return StoredManifest(digest: digest, mediaType: mediaType, size: size)
    }

    /// The manifest `reference` names in repository `name`, or nil.
    func manifest(_ name: RepositoryName, _ reference: ManifestReference) throws -> StoredManifest? {
        switch reference {
        case .digest(let digest): return try manifest(name, digest)
        case .tag(let tag):
            guard let digest = try tagged(name, tag) else { return nil }
            return try manifest(name, digest)
        }
    }

    /// The digest tag `tag` of repository `name` names, or nil.
    func tagged(_ name: RepositoryName, _ tag: String) throws -> Digest? {
        let path = tagsDirectory(name) + "/" + tag
        guard try Syscall.lstatIfExists(path) != nil else { return nil }
        let text = String(decoding: try Syscall.readFile(path, limit: 4096), as: UTF8.self)
        return try? Digest(parsing: text)
    }

    /// Points tag `tag` of repository `name` at manifest `digest`.
    func setTag(_ name: RepositoryName, _ tag: String, _ digest: Digest) throws {
        try writeAtomically(Array(digest.description.utf8), to: tagsDirectory(name) + "/" + tag)
    }

    /// Removes tag `tag`; false when there was none.
    func removeTag(_ name: RepositoryName, _ tag: String) throws -> Bool {
        try remove(tagsDirectory(name) + "/" + tag)
    }

    /// The tags of repository `name`, sorted.
    func tags(_ name: RepositoryName) throws -> [String] {
        guard try Syscall.lstatIfExists(tagsDirectory(name)) != nil else { return [] }
        return try Syscall.listDirectory(tagsDirectory(name)).filter { ManifestReference.isTag($0) }.sorted()
    }

    /// Removes manifest `digest` from repository `name` with every tag naming it; false when
    /// the repository did not hold it.
    func deleteManifest(_ name: RepositoryName, _ digest: Digest) throws -> Bool {
        for tag in try tags(name) {
            if try tagged(name, tag) == digest { _ = try removeTag(name, tag) }
        }
        return try remove(revisionLink(name, digest))
    }

    /// The digests of the manifests repository `name` holds.
    func revisions(_ name: RepositoryName) throws -> [Digest] {
        let directory = repositoryPath(name) + "/_manifests/revisions/sha256"
        guard try Syscall.lstatIfExists(directory) != nil else { return [] }
        return try Syscall.listDirectory(directory).compactMap { try? Digest(parsing: "sha256:" + $0) }
    }

    /// The digests of the blobs repository `name` may serve.
    func layers(_ name: RepositoryName) throws -> [Digest] {
        let directory = repositoryPath(name) + "/_layers/sha256"
        guard try Syscall.lstatIfExists(directory) != nil else { return [] }
        return try Syscall.listDirectory(directory).compactMap { try? Digest(parsing: "sha256:" + $0) }
    }
}
