/// `ContainerInfo`: how to containerize a task or executor.
public struct ContainerInfo: Codable, Hashable, Sendable {
    /// `MESOS` (Corral's launcher) or `DOCKER`.
    public var type: Kind
    /// Volumes to mount.
    @Repeated public var volumes: [Volume]
    /// The container's hostname.
    public var hostname: String?
    /// Docker-containerizer settings.
    public var docker: DockerInfo?
    /// Mesos-containerizer settings: the image.
    public var mesos: MesosInfo?
    /// Networks to join.
    @Repeated public var networkInfos: [NetworkInfo]

    enum CodingKeys: String, CodingKey {
        case type, volumes, hostname, docker, mesos
        case networkInfos = "network_infos"
    }

    /// Makes container info.
    public init(
        type: Kind,
        volumes: [Volume] = [],
        hostname: String? = nil,
        docker: DockerInfo? = nil,
        mesos: MesosInfo? = nil,
        networkInfos: [NetworkInfo] = []
    ) {
        self.type = type
        self.volumes = volumes
        self.hostname = hostname
        self.docker = docker
        self.mesos = mesos
        self.networkInfos = networkInfos
    }

    /// `ContainerInfo.Type`.
    public struct Kind: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The Docker containerizer.
        public static let docker: Kind = "DOCKER"
        /// The Mesos (here: Corral) containerizer.
        public static let mesos: Kind = "MESOS"
        /// Every name this build knows.
        public static let known: [Kind] = [.docker, .mesos]
    }

    /// `{"image"}`.
    public struct MesosInfo: Codable, Hashable, Sendable {
        /// The image to run from.
        public var image: Image?
        /// Makes Mesos containerizer info.
        public init(image: Image?) { self.image = image }
    }

    /// `ContainerInfo.DockerInfo`, the commonly used fields.
    public struct DockerInfo: Codable, Hashable, Sendable {
        /// The image.
        public var image: String
        /// `HOST`, `BRIDGE`, `NONE` or `USER`.
        public var network: String?
        /// Whether the container is privileged.
        public var privileged: Bool?
        /// Extra `docker run` parameters.
        @Repeated public var parameters: [Parameter]
        /// Whether to pull even when cached.
        public var forcePullImage: Bool?

        enum CodingKeys: String, CodingKey {
            case image, network, privileged, parameters
            case forcePullImage = "force_pull_image"
        }

        /// Makes Docker info.
        public init(image: String, network: String? = nil) {
            self.image = image
            self.network = network
            self.parameters = []
        }
    }
}

/// `NetworkInfo`: a network a container joins.
public struct NetworkInfo: Codable, Hashable, Sendable {
    /// Addresses requested or assigned.
    @Repeated public var ipAddresses: [IPAddress]
    /// The network's name.
    public var name: String?
    /// Groups (security groups).
    @Repeated public var groups: [String]
    /// Labels.
    public var labels: Labels?
    /// Host-to-container port mappings.
    @Repeated public var portMappings: [PortMapping]

    enum CodingKeys: String, CodingKey {
        case ipAddresses = "ip_addresses"
        case name, groups, labels
        case portMappings = "port_mappings"
    }

    /// Makes network info.
    public init(name: String? = nil, ipAddresses: [IPAddress] = [], portMappings: [PortMapping] = []) {
        self.name = name
        self.ipAddresses = ipAddresses
        self.groups = []
        self.portMappings = portMappings
    }

    /// `{"protocol": "IPv4"|"IPv6", "ip_address"}`.
    public struct IPAddress: Codable, Hashable, Sendable {
        /// `IPv4` or `IPv6`.
        public var `protocol`: String?
        /// The address.
        public var ipAddress: String?

        enum CodingKeys: String, CodingKey {
            case `protocol`
            case ipAddress = "ip_address"
        }

        /// Makes an address.
        public init(protocol: String? = nil, ipAddress: String?) {
            self.protocol = `protocol`
            self.ipAddress = ipAddress
        }
    }

    /// `{"host_port", "container_port", "protocol"}`.
    public struct PortMapping: Codable, Hashable, Sendable {
        /// The port on the host.
        public var hostPort: UInt32
        /// The port in the container.
        public var containerPort: UInt32
        /// `tcp` or `udp`.
        public var `protocol`: String?

        enum CodingKeys: String, CodingKey {
            case hostPort = "host_port"
            case containerPort = "container_port"
            case `protocol`
        }

        /// Makes a mapping.
        public init(hostPort: UInt32, containerPort: UInt32, protocol: String? = nil) {
            self.hostPort = hostPort
            self.containerPort = containerPort
            self.protocol = `protocol`
        }
    }
}
