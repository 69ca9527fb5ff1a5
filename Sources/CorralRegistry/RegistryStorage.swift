import CorralContainer
import Foundation
import Glibc

/// The registry's files under its root:
///
/// ```
/// blobs/sha256/<hex>                                         content-addressed blobs (layers, configs, manifests)
/// repositories/<name>/_layers/sha256/<hex>                   the repository may serve blob <hex>
/// repositories/<name>/_manifests/revisions/sha256/<hex>      manifest <hex> is in the repository; holds its media type
/// repositories/<name>/_manifests/tags/<tag>                  holds the digest the tag names
/// uploads/<id>/data, uploads/<id>/repository                 an upload in progress
/// uploads/.tmp-*                                             staging for atomic writes
/// ```
///
/// A file appears under `blobs/` only by `rename` of a staged file that was fsynced and whose
/// SHA-256 was checked, so no blob is ever half-written; links and tags are written to a
/// staging file in `uploads/` and renamed into place. A repository name can never hold `..` or
/// start with `_` (see `RepositoryName`), so `_layers` and `_manifests` never clash with one.
public struct RegistryStorage: Sendable {
    /// The registry's root directory.
    public let root: String

    var blobsDirectory: String { root + "/blobs/sha256" }
    var repositoriesDirectory: String { root + "/repositories" }
    var uploadsDirectory: String { root + "/uploads" }
    /// The lock file: shared by a serving registry, exclusive for garbage collection.
    var lockPath: String { root + "/.lock" }

    /// Opens (creating if needed) the registry under `root`.
    public init(root: String) throws {
        let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.root = trimmed
        for path in [trimmed + "/blobs/sha256", trimmed + "/repositories", trimmed + "/uploads"] {
            try Syscall.makeDirectories(path)
        }
    }

    // MARK: - Blobs

    /// Where blob `digest` lives.
    func blobPath(_ digest: Digest) -> String { blobsDirectory + "/" + digest.hex }

    /// The size of blob `digest`, or nil when the store does not hold it.
    func blobSize(_ digest: Digest) throws -> Int64? {
        guard let info = try Syscall.statIfExists(blobPath(digest)) else { return nil }
        return Int64(info.st_size)
    }

    /// Moves the fsynced, verified file `staged` into the store as blob `digest`.
    func commitBlob(staged: String, as digest: Digest) throws {
        if try Syscall.statIfExists(blobPath(digest)) != nil {
            unlink(staged)
            return
        }
        try Syscall.rename(staged, blobPath(digest))
        try Syscall.syncDirectory(blobsDirectory)
    }

    /// Writes `bytes` (whose digest is `digest`) as a blob: staged, fsynced, renamed.
    func writeBlob(_ bytes: [UInt8], digest: Digest) throws {
        if try Syscall.statIfExists(blobPath(digest)) != nil { return }
        let staged = stagingPath()
        do {
            let sink = try FileSink(creating: staged)
            try bytes.withUnsafeBytes { try sink.write($0) }
            try sink.close()
            try commitBlob(staged: staged, as: digest)
        } catch {
            unlink(staged)
            throw error
        }
    }

    // MARK: - Repository links

    func repositoryPath(_ name: RepositoryName) -> String { repositoriesDirectory + "/" + name.value }
    func layerLink(_ name: RepositoryName, _ digest: Digest) -> String {
        repositoryPath(name) + "/_layers/sha256/" + digest.hex
    }
    func revisionLink(_ name: RepositoryName, _ digest: Digest) -> String {
        repositoryPath(name) + "/_manifests/revisions/sha256/" + digest.hex
    }
    func tagsDirectory(_ name: RepositoryName) -> String { repositoryPath(name) + "/_manifests/tags" }

    /// The size of blob `digest` when repository `name` may serve it, else nil.
    func layerSize(_ name: RepositoryName, _ digest: Digest) throws -> Int64? {
        guard try Syscall.lstatIfExists(layerLink(name, digest)) != nil else { return nil }
        return try blobSize(digest)
    }

    /// Lets repository `name` serve blob `digest`.
    func linkLayer(_ name: RepositoryName, _ digest: Digest) throws {
        if try Syscall.lstatIfExists(layerLink(name, digest)) != nil { return }
        try writeAtomically([], to: layerLink(name, digest))
    }

    /// Stops repository `name` serving blob `digest`; false when it did not.
    func unlinkLayer(_ name: RepositoryName, _ digest: Digest) throws -> Bool {
        try remove(layerLink(name, digest))
    }

    /// Whether repository `name` has ever received a blob or a manifest.
    func repositoryExists(_ name: RepositoryName) throws -> Bool {
        let path = repositoryPath(name)
        return try Syscall.lstatIfExists(path + "/_layers") != nil || Syscall.lstatIfExists(path + "/_manifests") != nil
    }

    /// Every repository name, sorted.
    func repositories() throws -> [String] {
        var found: [String] = []
        func walk(_ directory: String, _ prefix: String) throws {
            for entry in try Syscall.listDirectory(directory) where !entry.hasPrefix("_") {
                let path = directory + "/" + entry
                guard let info = try Syscall.lstatIfExists(path), Syscall.type(info.st_mode) == S_IFDIR else { continue }
                let name = prefix.isEmpty ? entry : prefix + "/" + entry
                if try Syscall.lstatIfExists(path + "/_layers") != nil || Syscall.lstatIfExists(path + "/_manifests") != nil {
                    found.append(name)
                }
                try walk(path, name)
            }
        }
        try walk(repositoriesDirectory, "")
        return found.sorted()
    }

    // MARK: - Files

    /// A fresh path in `uploads/` for staging a file.
    func stagingPath() -> String {
        uploadsDirectory + "/.tmp-" + UUID().uuidString.lowercased()
    }

    /// Writes `bytes` to `path` atomically: a staged file in `uploads/`, fsync, rename, and an
    /// fsync of the directory so the rename itself survives a crash.
    func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        try Syscall.makeDirectories(directory)
        let staged = stagingPath()
        do {
            let sink = try FileSink(creating: staged)
            try bytes.withUnsafeBytes { try sink.write($0) }
            try sink.close()
            try Syscall.rename(staged, path)
            try Syscall.syncDirectory(directory)
        } catch {
            unlink(staged)
            throw error
        }
    }

    /// Removes the file at `path`; false when there was none.
    func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw RegistryError(.unknown, "unlink '\(path)' failed: \(String(cString: strerror(errno)))")
    }
}
