import Glibc

/// The blobs of one pull, gathered in its directory (`stage`, laid out as an import's stage:
/// `blobs/` and `layers/`) before they enter the store together.
struct LayerPull {
    let store: ImageStore
    let client: RegistryClient
    let stage: String
    /// Blobs fetched from the registry.
    private(set) var downloaded: [Digest] = []
    /// Blobs the store had, so they were not fetched.
    private(set) var skipped: [Digest] = []
    private var seen = Set<Digest>()
    private var unpacking = Set<Digest>()

    init(store: ImageStore, client: RegistryClient, stage: String) {
        self.store = store
        self.client = client
        self.stage = stage
    }

    /// Gets the config blob and decodes it.
    mutating func config(_ descriptor: Descriptor) throws -> ImageConfigFile {
        try blob(descriptor, what: "config")
        let bytes = try Syscall.readFile(staged(descriptor))
        return try JSONCoding.decode(
            ImageConfigFile.self, from: bytes, what: "config \(descriptor.digest) from \(client.registry)")
    }

    /// Gets a layer's blob and unpacks it unless the store, or this pull, already has it: a
    /// blob that must be fetched is unpacked on a second thread while it downloads.
    mutating func layer(_ layer: Descriptor, diffID: Digest) throws {
        let target = stage + "/layers/" + diffID.hex
        let unpack = try Syscall.lstatIfExists(store.layerDirectory(diffID)) == nil && !unpacking.contains(diffID)
        unpacking.insert(diffID)
        guard unpack else { return try blob(layer, what: "layer") }
        if try linkStored(layer) {
            return try ImageStore.unpackLayer(layer, diffID: diffID, from: FileSource(path: staged(layer)), into: target)
        }
        let growing = GrowingFile()
        let partial = partialPath(layer)
        let unpacker = BackgroundWork {
            try ImageStore.unpackLayer(
                layer, diffID: diffID, from: GrowingFileSource(path: partial, growing: growing), into: target)
        }
        let fetched = Result { try client.downloadBlob(layer, to: partial, what: "layer", growing: growing) }
        let unpacked = Result { try unpacker.join() }
        try fetched.get()  // a bad blob is the first thing to say
        try unpacked.get()
        try Syscall.rename(partial, staged(layer))
        downloaded.append(layer.digest)
    }

    /// Unpacks, from their blobs, the layers this pull found in the store and that another
    /// writer's garbage collection removed before the caller took the store's lock.
    func unpackLayersRemovedMeanwhile(_ layers: [(Descriptor, Digest)]) throws {
        for (layer, diffID) in layers {
            let target = stage + "/layers/" + diffID.hex
            guard try Syscall.lstatIfExists(store.layerDirectory(diffID)) == nil,
                try Syscall.lstatIfExists(target) == nil
            else { continue }
            try ImageStore.unpackLayer(layer, diffID: diffID, from: FileSource(path: staged(layer)), into: target)
        }
    }

    /// Puts the blob of `descriptor` in the stage: a link to the store's copy, or a download.
    private mutating func blob(_ descriptor: Descriptor, what: String) throws {
        guard seen.insert(descriptor.digest).inserted, try !linkStored(descriptor) else { return }
        let partial = partialPath(descriptor)
        try client.downloadBlob(descriptor, to: partial, what: what)
        try Syscall.rename(partial, staged(descriptor))
        downloaded.append(descriptor.digest)
    }

    /// Links the store's blob of `descriptor` into the stage, which keeps it even if the store
    /// lets it go meanwhile; false when the store does not have it.
    private mutating func linkStored(_ descriptor: Descriptor) throws -> Bool {
        seen.insert(descriptor.digest)
        let stored = store.blobsDirectory + "/" + descriptor.digest.hex
        let destination = staged(descriptor)
        if Glibc.link(stored, destination) == 0 || errno == EEXIST {
            skipped.append(descriptor.digest)
            return true
        }
        guard errno == ENOENT else { throw ContainerError.errno("link stored blob into", destination) }
        return false
    }

    private func staged(_ descriptor: Descriptor) -> String { stage + "/blobs/" + descriptor.digest.hex }

    /// Where a blob downloads: beside `blobs/`, so that only checked blobs are ever in it.
    private func partialPath(_ descriptor: Descriptor) -> String { stage + "/" + descriptor.digest.hex + ".partial" }
}
