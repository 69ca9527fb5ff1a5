/// An OCI content descriptor: a typed, sized, digested reference to a blob.
public struct Descriptor: Codable, Sendable, Equatable {
    /// The media type of the referenced blob.
    public var mediaType: String
    /// The SHA-256 of the blob.
    public var digest: Digest
    /// The blob's size in bytes.
    public var size: Int64
    /// Annotations, such as `org.opencontainers.image.ref.name` in an index.
    public var annotations: [String: String]?
    /// The platform of a manifest listed in an index.
    var platform: Platform?

    /// The annotation that names an image in `index.json`.
    static let refNameKey = "org.opencontainers.image.ref.name"

    /// The image name this descriptor carries in an index, if any.
    var refName: String? { annotations?[Descriptor.refNameKey] }
}

/// The platform of a manifest in an index.
struct Platform: Codable, Sendable, Equatable {
    var architecture: String
    var os: String
    var variant: String?
}

/// `index.json`, or an image index blob.
public struct ImageIndex: Codable, Sendable {
    /// Always 2.
    public var schemaVersion: Int
    /// The index media type (OCI index or Docker manifest list), when the document names it.
    public var mediaType: String?
    /// The manifests it lists.
    public var manifests: [Descriptor]
    /// Annotations of the index.
    public var annotations: [String: String]?
}

extension ImageIndex {
    /// Lists `manifest` under `name`; an image that had that name loses it.
    mutating func name(_ manifest: Descriptor, _ name: String) {
        manifests.removeAll { $0.refName == name }
        var named = manifest
        named.annotations = [Descriptor.refNameKey: name]
        manifests.append(named)
    }
}

/// An image manifest: one config and the layers, lowest first.
public struct ImageManifest: Codable, Sendable {
    /// Always 2.
    public var schemaVersion: Int
    /// The manifest media type (OCI or Docker schema 2), when the document names it.
    public var mediaType: String?
    /// The config blob.
    public var config: Descriptor
    /// The layer blobs, lowest first.
    public var layers: [Descriptor]
    /// Annotations of the manifest.
    public var annotations: [String: String]?
}

/// The image configuration file; only the fields Corral uses are kept.
struct ImageConfigFile: Codable, Sendable {
    var created: String?
    var architecture: String?
    var os: String?
    var config: ImageConfig?
    var rootfs: RootFS
    /// How each layer (and each step that made no layer) came to be, lowest first.
    var history: [HistoryEntry]?

    /// One entry of `history`.
    struct HistoryEntry: Codable, Sendable, Equatable {
        var created: String?
        var createdBy: String?
        var comment: String?
        /// True for a step that changed only the config.
        var emptyLayer: Bool?

        enum CodingKeys: String, CodingKey {
            case created, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }
    }

    /// The layers' uncompressed digests, lowest first.
    struct RootFS: Codable, Sendable {
        var type: String
        var diffIDs: [Digest]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }
}

/// How a container of this image runs: the process part of the OCI image config.
public struct ImageConfig: Codable, Sendable, Equatable {
    /// `KEY=value` environment entries.
    public var env: [String]
    /// Default arguments (after the entrypoint).
    public var cmd: [String]
    /// The entrypoint, run with `cmd` as its arguments.
    public var entrypoint: [String]
    /// The working directory, or empty for `/`.
    public var workingDir: String
    /// `user`, `uid`, `user:group` or `uid:gid`, or empty for root.
    public var user: String
    /// Ports the image says it listens on, as `80/tcp` (`EXPOSE`).
    public var exposedPorts: [String: EmptyObject]?
    /// Labels (`LABEL`).
    public var labels: [String: String]?

    /// A config with the given fields.
    public init(
        env: [String] = [],
        cmd: [String] = [],
        entrypoint: [String] = [],
        workingDir: String = "",
        user: String = "",
        exposedPorts: [String: EmptyObject]? = nil,
        labels: [String: String]? = nil
    ) {
        self.env = env
        self.cmd = cmd
        self.entrypoint = entrypoint
        self.workingDir = workingDir
        self.user = user
        self.exposedPorts = exposedPorts
        self.labels = labels
    }

    /// The process a container runs by default: `entrypoint` followed by `cmd`.
    public var defaultArguments: [String] { entrypoint + cmd }

    enum CodingKeys: String, CodingKey {
        case env = "Env"
        case cmd = "Cmd"
        case entrypoint = "Entrypoint"
        case workingDir = "WorkingDir"
        case user = "User"
        case exposedPorts = "ExposedPorts"
        case labels = "Labels"
    }

    /// Decodes the OCI fields; missing or null ones are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        env = try container.decodeIfPresent([String].self, forKey: .env) ?? []
        cmd = try container.decodeIfPresent([String].self, forKey: .cmd) ?? []
        entrypoint = try container.decodeIfPresent([String].self, forKey: .entrypoint) ?? []
        workingDir = try container.decodeIfPresent(String.self, forKey: .workingDir) ?? ""
        user = try container.decodeIfPresent(String.self, forKey: .user) ?? ""
        exposedPorts = try container.decodeIfPresent([String: EmptyObject].self, forKey: .exposedPorts)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels)
    }
}

/// The empty JSON object `{}`, the value of each `ExposedPorts` key.
public struct EmptyObject: Codable, Sendable, Equatable, Hashable {
    /// `{}`.
    public init() {}
}
