import Glibc

extension ImageStore {
    /// Removes the image named `reference`, then garbage-collects what no image references.
    public func remove(_ reference: String) throws {
        try StoreLock.withExclusive(lockPath) {
            var index = try readIndex()
            let before = index.manifests.count
            index.manifests.removeAll {
                $0.refName == reference || ($0.refName == nil && $0.digest.description == reference)
            }
            guard index.manifests.count < before else {
                throw ContainerError(.notFound, "no image named '\(reference)' in \(directory)")
            }
            try writeIndex(index)
            try collectGarbageLocked()
        }
    }

    /// Removes blobs and layer directories that no image references, stale staging directories,
    /// and the downloads of pulls that died.
    public func collectGarbage() throws {
        try StoreLock.withExclusive(lockPath) { try collectGarbageLocked() }
    }

    /// Garbage collection; the caller holds the store lock, so no import is staging.
    ///
    /// Conservative: if any image's manifest or config cannot be read, nothing is deleted.
    func collectGarbageLocked() throws {
        for name in try Syscall.listDirectory(stagingDirectory) {
            try Syscall.removeTree(stagingDirectory + "/" + name)
        }
        try DownloadDirectory.removeAbandoned(in: downloadsDirectory)
        var blobs = Set<String>()
        var layers = Set<String>()
        for descriptor in try readIndex().manifests {
            blobs.insert(descriptor.digest.hex)
            guard
                let image = try? resolve(
                    descriptor,
                    name: descriptor.refName ?? descriptor.digest.description
                )
            else {
                return
            }
            blobs.insert(image.manifest.config.digest.hex)
            for layer in image.manifest.layers { blobs.insert(layer.digest.hex) }
            for diffID in image.configFile.rootfs.diffIDs { layers.insert(diffID.hex) }
        }
        // The build cache's images are roots too; an entry whose manifest is gone protects nothing.
        for digest in BuildCache(storeDirectory: directory).entries().values {
            guard let image = try? resolve(manifest: digest) else { continue }
            blobs.formUnion([digest.hex, image.manifest.config.digest.hex] + image.manifest.layers.map(\.digest.hex))
            layers.formUnion(image.configFile.rootfs.diffIDs.map(\.hex))
        }
        for name in try Syscall.listDirectory(blobsDirectory) where !blobs.contains(name) {
            try Syscall.removeTree(blobsDirectory + "/" + name)
        }
        for name in try Syscall.listDirectory(layersDirectory) where !layers.contains(name) {
            try Syscall.removeTree(layersDirectory + "/" + name)
        }
    }
}
