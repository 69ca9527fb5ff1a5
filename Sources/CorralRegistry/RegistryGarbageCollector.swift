import CorralContainer
import Foundation
import Glibc

/// Offline garbage collection of a registry's root (`corral registry gc`).
///
/// Per repository, a manifest is kept when a tag names it or a kept index lists it; every other
/// manifest (pushed by digest only, or whose tags were all deleted) is removed from the
/// repository. A repository keeps its links to the blobs its kept manifests name and loses the
/// rest. A blob file is kept when some repository keeps a manifest or a link for it; every
/// other file under `blobs/` goes, and so does every upload in progress.
///
/// It runs only while no server serves the root: `corral registry serve` holds a shared lock
/// on `<root>/.lock` and collection wants it exclusively.
public enum RegistryGarbageCollector {
    /// What a collection removed (or, in a dry run, would remove).
    public struct Report: Sendable, Equatable {
        /// `repository@digest` of every manifest removed.
        public var manifests: [String] = []
        /// How many repository-to-blob links were removed.
        public var links = 0
        /// The blobs whose files were removed.
        public var blobs: [String] = []
        /// How many bytes those files held.
        public var bytes: Int64 = 0
        /// How many uploads in progress were removed.
        public var uploads = 0
    }

    /// Collects `storage`'s garbage; with `dryRun`, only reports what it would remove.
    public static func collect(_ storage: RegistryStorage, dryRun: Bool = false) throws -> Report {
        let lock = try storage.lock(exclusive: true)
        defer { close(lock) }
        var report = Report()
        var keptBlobs = Set<Digest>()
        for repository in try storage.repositories() {
            let name = try RepositoryName(repository)
            let (manifests, layers) = try marked(name, storage)
            keptBlobs.formUnion(manifests)
            keptBlobs.formUnion(layers)
            for digest in try storage.revisions(name) where !manifests.contains(digest) {
                report.manifests.append("\(name)@\(digest)")
                if !dryRun { _ = try storage.deleteManifest(name, digest) }
            }
            for digest in try storage.layers(name) where !layers.contains(digest) {
                report.links += 1
                if !dryRun { _ = try storage.unlinkLayer(name, digest) }
            }
        }
        for file in try Syscall.listDirectory(storage.blobsDirectory) {
            if let digest = try? Digest(parsing: "sha256:" + file), keptBlobs.contains(digest) { continue }
            let path = storage.blobsDirectory + "/" + file
            report.blobs.append(file)
            report.bytes += Int64(try Syscall.lstatIfExists(path)?.st_size ?? 0)
            if !dryRun { try Syscall.removeTree(path) }
        }
        for entry in try Syscall.listDirectory(storage.uploadsDirectory) {
            report.uploads += entry.hasPrefix(".tmp-") ? 0 : 1
            if !dryRun { try Syscall.removeTree(storage.uploadsDirectory + "/" + entry) }
        }
        return report
    }

    /// The manifests repository `name` keeps (tagged, or listed by a kept index) and the blobs
    /// they name.
    private static func marked(_ name: RepositoryName, _ storage: RegistryStorage) throws -> (Set<Digest>, Set<Digest>) {
        var manifests = Set<Digest>()
        var layers = Set<Digest>()
        var pending = try storage.tags(name).compactMap { try storage.tagged(name, $0) }
        while let digest = pending.popLast() {
            guard !manifests.contains(digest), let stored = try storage.manifest(name, digest) else { continue }
            manifests.insert(digest)
            let bytes = try Syscall.readFile(storage.blobPath(digest), limit: ManifestDocument.maxBytes)
            // A stored manifest was checked when pushed; one that no longer parses keeps only itself.
            guard let document = try? ManifestDocument(bytes, contentType: stored.mediaType) else { continue }
            layers.formUnion(document.blobs.map(\.digest))
            pending.append(contentsOf: document.manifests.map(\.digest))
        }
        return (manifests, layers)
    }
}

extension RegistryStorage {
    /// Takes `<root>/.lock` (shared for a server, exclusive for garbage collection) without
    /// waiting; returns the descriptor that holds it (close it to let go).
    public func lock(exclusive: Bool) throws -> Int32 {
        let path = lockPath
        let descriptor = try Syscall.retrying("open lock file", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        while flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(descriptor)
            if code == EWOULDBLOCK {
                throw RegistryError(
                    .denied,
                    exclusive
                        ? "the registry at \(root) is being served; stop `corral registry serve` before collecting garbage"
                        : "garbage collection is running on \(root); start the server when it ends")
            }
            throw RegistryError(.unknown, "flock '\(path)' failed: \(String(cString: strerror(code)))")
        }
        return descriptor
    }
}
