/// `Volume`: a path mounted into a container, from the host, an image or a source.
public struct Volume: Codable, Hashable, Sendable {
    /// `RW` or `RO`.
    public var mode: Mode
    /// Where it appears in the container.
    public var containerPath: String
    /// The host directory, for a host volume.
    public var hostPath: String?
    /// The image whose rootfs is mounted, for an image volume.
    public var image: Image?
    /// The source (docker volume, host path, sandbox path, secret, CSI); kept opaque.
    public var source: Source?

    enum CodingKeys: String, CodingKey {
        case mode
        case containerPath = "container_path"
        case hostPath = "host_path"
        case image, source
    }

    /// Makes a volume.
    public init(mode: Mode, containerPath: String, hostPath: String? = nil, image: Image? = nil) {
        self.mode = mode
        self.containerPath = containerPath
        self.hostPath = hostPath
        self.image = image
    }

    /// `Volume.Mode`.
    public struct Mode: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Read-write.
        public static let readWrite: Mode = "RW"
        /// Read-only.
        public static let readOnly: Mode = "RO"
        /// Every name this build knows.
        public static let known: [Mode] = [.readWrite, .readOnly]
    }

    /// `Volume.Source`: its type and the two simple kinds; others decode and are dropped.
    public struct Source: Codable, Hashable, Sendable {
        /// `DOCKER_VOLUME`, `HOST_PATH`, `SANDBOX_PATH`, `SECRET` or `CSI_VOLUME`.
        public var type: String?
        /// `{"path"}` of a host path source.
        public var hostPath: PathSource?
        /// `{"type", "path"}` of a sandbox path source.
        public var sandboxPath: PathSource?

        enum CodingKeys: String, CodingKey {
            case type
            case hostPath = "host_path"
            case sandboxPath = "sandbox_path"
        }

        /// Makes a source.
        public init(type: String?, hostPath: PathSource? = nil, sandboxPath: PathSource? = nil) {
            self.type = type
            self.hostPath = hostPath
            self.sandboxPath = sandboxPath
        }

        /// `{"path", "type"?}`.
        public struct PathSource: Codable, Hashable, Sendable {
            /// `SELF` or `PARENT`, for sandbox paths.
            public var type: String?
            /// The path.
            public var path: String
            /// Makes a path source.
            public init(type: String? = nil, path: String) {
                self.type = type
                self.path = path
            }
        }
    }
}

/// `Image`: a container image by reference (`{"type": "DOCKER", "docker": {"name"}}`).
public struct Image: Codable, Hashable, Sendable {
    /// `DOCKER` or `APPC`.
    public var type: Kind
    /// `{"name", "id"?}` of an APPC image.
    public var appc: Named?
    /// `{"name"}` of a Docker image, e.g. `library/busybox:latest`.
    public var docker: Named?
    /// Whether a cached copy may be used (Mesos default: true).
    public var cached: Bool?

    /// Makes an image reference.
    public init(type: Kind, appc: Named? = nil, docker: Named? = nil, cached: Bool? = nil) {
        self.type = type
        self.appc = appc
        self.docker = docker
        self.cached = cached
    }

    /// A Docker image by name.
    public static func docker(_ name: String) -> Image { Image(type: .docker, docker: Named(name: name)) }

    /// `{"name", "id"?, "labels"?}`.
    public struct Named: Codable, Hashable, Sendable {
        /// The image name.
        public var name: String
        /// The image ID (APPC).
        public var id: String?
        /// Labels (APPC).
        public var labels: Labels?
        /// Makes a name.
        public init(name: String, id: String? = nil, labels: Labels? = nil) {
            self.name = name
            self.id = id
            self.labels = labels
        }
    }

    /// `Image.Type`.
    public struct Kind: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// An App Container image.
        public static let appc: Kind = "APPC"
        /// A Docker / OCI image.
        public static let docker: Kind = "DOCKER"
        /// Every name this build knows.
        public static let known: [Kind] = [.appc, .docker]
    }
}
