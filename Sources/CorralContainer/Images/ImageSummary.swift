/// One line of `image ls`.
public struct ImageSummary: Codable, Sendable, Equatable {
    /// The image name (its `org.opencontainers.image.ref.name`).
    public var name: String
    /// The manifest digest.
    public var digest: Digest
    /// Bytes of config and layer blobs (compressed, as stored).
    public var sizeBytes: Int64
    /// The config's `created` timestamp, if it has one.
    public var created: String?
}

/// What `image inspect` shows.
public struct ImageDetails: Codable, Sendable, Equatable {
    /// One layer of the image, lowest first.
    public struct Layer: Codable, Sendable, Equatable {
        /// The layer blob's digest.
        public var digest: Digest
        /// The digest of the uncompressed tar.
        public var diffID: Digest
        /// The blob's media type.
        public var mediaType: String
        /// The blob's size in bytes.
        public var sizeBytes: Int64
        /// The unpacked, read-only layer directory.
        public var directory: String
    }

    /// The image name.
    public var name: String
    /// The manifest digest.
    public var manifestDigest: Digest
    /// The config blob's digest.
    public var configDigest: Digest
    /// The config's `created` timestamp.
    public var created: String?
    /// The config's architecture.
    public var architecture: String?
    /// The config's operating system.
    public var os: String?
    /// How a container of the image runs.
    public var config: ImageConfig
    /// The layers, lowest first.
    public var layers: [Layer]
}
