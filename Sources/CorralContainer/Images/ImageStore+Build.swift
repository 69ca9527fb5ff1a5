import Foundation
import Glibc

extension ImageStore {
    /// Reads the stored image whose manifest has `digest`, named or not.
    func resolve(manifest digest: Digest) throws -> ResolvedImage {
        try resolve(
            Descriptor(mediaType: MediaType.ociManifest, digest: digest, size: 0),
            name: digest.description
        )
    }

    /// The image a build step made earlier, if the cache has `key` and the image and its unpacked
    /// layers are still in the store.
    func cachedBuildStep(_ key: String) -> ResolvedImage? {
        guard let digest = BuildCache(storeDirectory: directory).entries()[key],
            let image = try? resolve(manifest: digest),
            (try? lowerDirectories(of: image, reference: digest.description)) != nil
        else { return nil }
        return image
    }

    /// Stores a build step's image: `base`'s layers (none for `scratch`), then `layer` (a directory
    /// archived as one more layer; an overlayfs upper directory's deletions become whiteouts) when
    /// given, and `configFile` (whose `diff_ids` get the new layer's). The image is not named; the
    /// build cache records it under `cacheKey` in the same hold of the store lock, which keeps it
    /// from garbage collection.
    func storeBuildStep(base: ResolvedImage?, layer: String?, configFile: ImageConfigFile, cacheKey: String)
        throws
        -> ResolvedImage
    {
        let digest = try StoreLock.withExclusive(lockPath) {
            let manifest = try withStage { stage in
                let layout = stage + "/step"
                try RootfsLayoutWriter.begin(layout)
                var layers = base?.manifest.layers ?? []  // already stored: not copied into the layout
                var config = configFile
                if let layer {
                    let (descriptor, diffID) = try RootfsLayoutWriter.writeLayer(
                        of: RootfsArchiver(root: layer, overlayWhiteouts: true),
                        into: layout
                    )
                    layers.append(descriptor)
                    config.rootfs.diffIDs.append(diffID)
                }
                try RootfsLayoutWriter.finish(layout, name: "build-step", configFile: config, layers: layers)
                return try storeUnnamed(LayoutReader(path: layout), stage: stage)
            }
            try BuildCache(storeDirectory: directory).record(cacheKey, manifest.digest)
            return manifest.digest
        }
        return try resolve(manifest: digest)
    }

    /// Names a built image `name` in `index.json` (an image that had the name loses it), or with
    /// no name lists it unnamed, found by its digest (`corral image rm <digest>` removes it).
    func nameBuiltImage(_ digest: Digest, as name: String?) throws {
        if let name { try ImageStore.validateName(name) }
        try StoreLock.withExclusive(lockPath) {
            guard let info = try Syscall.lstatIfExists(blobsDirectory + "/" + digest.hex) else {
                throw ContainerError(
                    .missingBlob,
                    "built manifest \(digest) is missing from the store \(directory)"
                )
            }
            let descriptor = Descriptor(
                mediaType: MediaType.ociManifest,
                digest: digest,
                size: Int64(info.st_size)
            )
            var index = try readIndex()
            if let name {
                index.name(descriptor, name)
            } else if !index.manifests.contains(where: { $0.digest == digest && $0.refName == nil }) {
                index.manifests.append(descriptor)
            }
            try writeIndex(index)
        }
    }

    /// Empties the build cache and garbage-collects the images only it kept.
    public func clearBuildCache() throws {
        try StoreLock.withExclusive(lockPath) {
            try BuildCache(storeDirectory: directory).clear()
            try collectGarbageLocked()
        }
    }
}
