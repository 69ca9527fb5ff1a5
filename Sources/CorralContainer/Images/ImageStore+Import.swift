import Glibc

extension ImageStore {
    /// Imports every image of an OCI layout directory, or of a tar (optionally gzipped) of one.
    ///
    /// Names come from `org.opencontainers.image.ref.name`, or `name` when the layout holds one image.
    /// Every blob is verified; every layer is unpacked once. A refused image leaves the store unchanged.
    @discardableResult
    public func importImage(from path: String, name: String? = nil) throws -> [ImageSummary] {
        if let name { try ImageStore.validateName(name) }
        guard let info = try Syscall.statIfExists(path) else {
            throw ContainerError(.invalidArgument, "'\(path)' does not exist")
        }
        let names = try StoreLock.withExclusive(lockPath) {
            let names = try withStage { stage in
                var layout = path
                if Syscall.type(info.st_mode) != S_IFDIR {
                    layout = stage + "/archive"
                    try extractArchive(path, into: layout)
                }
                return try importLayout(LayoutReader(path: layout), name: name, stage: stage)
            }
            try collectGarbageLocked()
            return names
        }
        let summaries = try list()
        return summaries.filter { names.contains($0.name) }
    }

    // MARK: - Staging

    /// Runs `body` with a fresh staging directory inside the store, removed afterwards whatever happens.
    func withStage<T>(_ body: (String) throws -> T) throws -> T {
        var template = Array((stagingDirectory + "/stage-XXXXXX").utf8CString)
        let created: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        guard let stage = created else { throw ContainerError.errno("mkdtemp", stagingDirectory) }
        defer { try? Syscall.removeTree(stage) }
        for sub in ["/blobs", "/layers"] { try Syscall.makeDirectory(stage + sub) }
        return try body(stage)
    }

    /// Stages every image of `layout`, then commits them all; returns their names.
    func importLayout(_ layout: LayoutReader, name: String?, stage: String) throws -> [String] {
        try layout.checkLayoutFile()
        let index = try layout.index()
        guard !index.manifests.isEmpty else {
            throw ContainerError(.malformed, "OCI layout '\(layout.path)' holds no image")
        }
        if name != nil && index.manifests.count != 1 {
            throw ContainerError(
                .invalidArgument,
                "OCI layout '\(layout.path)' holds \(index.manifests.count) images; a name override needs exactly one"
            )
        }
        var staged: [(name: String, manifest: Descriptor)] = []
        for descriptor in index.manifests {
            guard let imageName = name ?? descriptor.refName else {
                throw ContainerError(
                    .invalidArgument,
                    "an image in '\(layout.path)' has no \(Descriptor.refNameKey) annotation; give it a name"
                )
            }
            try ImageStore.validateName(imageName)
            staged.append((imageName, try stageImage(descriptor, layout, stage, depth: 0)))
        }
        try commit(staged, stage: stage)
        return staged.map(\.name)
    }

    /// Verifies and stages one manifest (or picks one from a nested index), its config and layers.
    /// With `trustStored`, a layer whose blob and unpacked directory the store already holds is
    /// neither read nor staged (a build step's layout names its base's layers without copies).
    private func stageImage(
        _ descriptor: Descriptor, _ layout: LayoutReader, _ stage: String, depth: Int, trustStored: Bool = false
    ) throws -> Descriptor {
        if MediaType.indexes.contains(descriptor.mediaType) && depth == 0 {
            let nested = try stageDocument(ImageIndex.self, descriptor, layout, stage, what: "image index")
            let linux = nested.manifests.filter {
                $0.platform.map { $0.os == "linux" && $0.architecture == ImageStore.architecture } ?? false
            }
            guard let chosen = linux.first ?? (nested.manifests.count == 1 ? nested.manifests.first : nil)
            else {
                throw ContainerError(
                    .notFound,
                    "image index \(descriptor.digest) has no linux/\(ImageStore.architecture) manifest"
                )
            }
            return try stageImage(chosen, layout, stage, depth: depth + 1)
        }
        guard MediaType.manifests.contains(descriptor.mediaType) else {
            throw ContainerError(
                .unsupportedMediaType,
                "manifest \(descriptor.digest) has unsupported media type '\(descriptor.mediaType)'"
            )
        }
        let manifest = try stageDocument(ImageManifest.self, descriptor, layout, stage, what: "manifest")
        try validate(manifest, descriptor)
        let configFile = try stageDocument(
            ImageConfigFile.self,
            manifest.config,
            layout,
            stage,
            what: "config"
        )
        guard configFile.rootfs.diffIDs.count == manifest.layers.count else {
            throw ContainerError(
                .malformed,
                "config \(manifest.config.digest) lists \(configFile.rootfs.diffIDs.count) diff_ids for \(manifest.layers.count) layers"
            )
        }
        for (layer, diffID) in zip(manifest.layers, configFile.rootfs.diffIDs) {
            if trustStored, try Syscall.lstatIfExists(blobsDirectory + "/" + layer.digest.hex) != nil,
                try Syscall.lstatIfExists(layerDirectory(diffID)) != nil
            {
                continue
            }
            try stageLayer(layer, diffID: diffID, layout, stage)
        }
        return Descriptor(mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size)
    }

    func validate(_ manifest: ImageManifest, _ descriptor: Descriptor) throws {
        guard manifest.schemaVersion == 2 else {
            throw ContainerError(
                .unsupportedMediaType,
                "manifest \(descriptor.digest) has schemaVersion \(manifest.schemaVersion), not 2"
            )
        }
        if let type = manifest.mediaType, !MediaType.manifests.contains(type) {
            throw ContainerError(
                .unsupportedMediaType,
                "manifest \(descriptor.digest) declares unsupported media type '\(type)'"
            )
        }
        guard MediaType.configs.contains(manifest.config.mediaType) else {
            throw ContainerError(
                .unsupportedMediaType,
                "config \(manifest.config.digest) has unsupported media type '\(manifest.config.mediaType)'"
            )
        }
        for layer in manifest.layers where MediaType.layerCompression(layer.mediaType) == nil {
            throw ContainerError(
                .unsupportedMediaType,
                "layer \(layer.digest) has unsupported media type '\(layer.mediaType)'"
            )
        }
    }

    /// Copies a verified blob into the stage (once) and returns its staged path.
    private func stageBlob(_ descriptor: Descriptor, _ layout: LayoutReader, _ stage: String) throws -> String
    {
        let path = stage + "/blobs/" + descriptor.digest.hex
        if try Syscall.lstatIfExists(path) == nil { try layout.copyBlob(descriptor, to: path) }
        return path
    }

    /// Stages a JSON blob (index, manifest or config) and decodes it.
    private func stageDocument<T: Decodable>(
        _ type: T.Type,
        _ descriptor: Descriptor,
        _ layout: LayoutReader,
        _ stage: String,
        what: String
    ) throws -> T {
        let bytes = try Syscall.readFile(try stageBlob(descriptor, layout, stage))
        return try JSONCoding.decode(type, from: bytes, what: "\(what) \(descriptor.digest)")
    }

    /// Stages a layer blob, unpacks it unless the store (or this stage) already has it, and checks
    /// that its uncompressed content matches the diff_id either way.
    private func stageLayer(_ layer: Descriptor, diffID: Digest, _ layout: LayoutReader, _ stage: String)
        throws
    {
        let blob = try stageBlob(layer, layout, stage)
        let target = stage + "/layers/" + diffID.hex
        let unpacked =
            try Syscall.lstatIfExists(layerDirectory(diffID)) != nil || Syscall.lstatIfExists(target) != nil
        try Self.unpackLayer(layer, diffID: diffID, from: try FileSource(path: blob), into: unpacked ? nil : target)
    }

    /// Reads the blob of `layer` from `source` and unpacks it into the new directory `target`
    /// (or only reads it when `target` is nil), checking that its uncompressed content matches
    /// `diffID` (which is why the gzip CRC is not computed).
    static func unpackLayer(_ layer: Descriptor, diffID: Digest, from source: any ByteSource, into target: String?)
        throws
    {
        let tar = HashingSource(
            MediaType.layerCompression(layer.mediaType) == .gzip ? try GzipSource(source, checksum: false) : source
        )
        do {
            if let target {
                try Syscall.makeDirectory(target)
                try LayerUnpacker(root: target, mode: .layer).unpack(TarReader(tar))
            }
            try tar.copy(to: nil)  // the diff_id covers any bytes after the end-of-archive blocks
        } catch let error as ContainerError {
            throw ContainerError(
                error.code,
                "layer \(layer.digest) refused: \(error.message)",
                cause: error.cause
            )
        }
        let actual = tar.hasher.finalizeHex()
        guard actual == diffID.hex else {
            throw ContainerError(
                .digestMismatch,
                "layer \(layer.digest) unpacks to sha256:\(actual), its config says diff_id \(diffID)"
            )
        }
    }

    // MARK: - Commit

    /// Moves staged blobs and layers into the store, then names the images in `index.json`.
    func commit(_ staged: [(name: String, manifest: Descriptor)], stage: String) throws {
        try moveStaged(stage)
        var index = try readIndex()
        for (name, manifest) in staged { index.name(manifest, name) }
        try writeIndex(index)
    }

    /// Stages the one image of `layout` and moves its blobs and layers into the store without
    /// naming it in `index.json` (a build step's image); returns its manifest's descriptor. Layers
    /// the store already holds (the step's base) are taken as stored: the layout need not have them.
    func storeUnnamed(_ layout: LayoutReader, stage: String) throws -> Descriptor {
        try layout.checkLayoutFile()
        let index = try layout.index()
        guard index.manifests.count == 1, let only = index.manifests.first else {
            throw ContainerError(.malformed, "OCI layout '\(layout.path)' holds \(index.manifests.count) images, not one")
        }
        let manifest = try stageImage(only, layout, stage, depth: 0, trustStored: true)
        try moveStaged(stage)
        return manifest
    }

    /// Moves staged blobs and layers into the store.
    private func moveStaged(_ stage: String) throws {
        for name in try Syscall.listDirectory(stage + "/blobs") {
            try Syscall.rename(stage + "/blobs/" + name, blobsDirectory + "/" + name)
        }
        for name in try Syscall.listDirectory(stage + "/layers") {
            let destination = layersDirectory + "/" + name
            if Glibc.rename(stage + "/layers/" + name, destination) != 0 {
                // Another writer unpacked the same layer first: keep theirs, ours goes with the stage.
                guard errno == EEXIST || errno == ENOTEMPTY else {
                    throw ContainerError.errno("rename layer into", destination)
                }
            }
        }
    }

    // MARK: - Archives

    /// Extracts a tar (or tar.gz) of an OCI layout; only plain files and directories are accepted.
    private func extractArchive(_ path: String, into directory: String) throws {
        try Syscall.makeDirectory(directory)
        do {
            try ArchiveExtractor.extract(path, into: directory)
        } catch let error as ContainerError {
            throw ContainerError(
                error.code,
                "image archive '\(path)' refused: \(error.message)",
                cause: error.cause
            )
        }
    }

    /// The OCI architecture name of this machine.
    static var architecture: String {
        #if arch(x86_64)
            return "amd64"
        #elseif arch(arm64)
            return "arm64"
        #else
            return "unknown"
        #endif
    }
}
