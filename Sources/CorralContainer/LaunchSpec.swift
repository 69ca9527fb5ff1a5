/// Everything needed to launch one container.
public struct LaunchSpec: Codable, Sendable, Equatable {
    /// Unique id: names the state directory and the cgroups (`corral/<id>`).
    public var id: String
    /// Human name (unique per state root).
    public var name: String
    /// The root filesystem.
    public var rootfs: RootFilesystem
    /// Program and arguments; argv[0] is searched in the PATH of `environment`.
    public var arguments: [String]
    /// Environment as `KEY=VALUE`.
    public var environment: [String]
    /// Working directory inside the container.
    public var workingDirectory: String
    /// Hostname of the container's UTS namespace (defaults to the name).
    public var hostname: String
    /// User and groups the task runs as.
    public var user: UserSpec
    /// CPU share in cores (cpu.shares and a CFS quota); nil: unlimited.
    public var cpus: Double?
    /// memory.limit_in_bytes; nil: unlimited.
    public var memoryLimitBytes: Int64?
    /// pids.max; nil: unlimited.
    public var pidsLimit: Int?
    /// Network namespace.
    public var network: NetworkMode
    /// Resource limits applied with setrlimit.
    public var resourceLimits: [ResourceLimit]
    /// Host directories bind-mounted into the container, in order.
    public var bindMounts: [BindMount]
    /// Where the task's `stdout` and `stderr` files go; nil: the container's state directory.
    public var logDirectory: String?
    /// The host pid of a process (a task group's executor init) whose network, IPC and UTS
    /// namespaces the container joins instead of making its own, as Mesos's nested containers
    /// share their executor's; the container keeps its own mount and PID namespaces. `network`
    /// must then be `.host` (it is not used) and `hostname` is that UTS namespace's.
    public var joinNamespacesOf: Int32?
    /// Host ports published to the container's ports (with `network` `.bridge` only).
    public var portMappings: [PortMapping] = []
    /// Seccomp, read-only root and hidden host directories (Docker's defaults when not given).
    public var security = SecurityOptions()

    /// Makes a spec; only `id` and `arguments` are required.
    public init(
        id: String,
        name: String? = nil,
        rootfs: RootFilesystem = .host,
        arguments: [String],
        environment: [String] = LaunchSpec.defaultEnvironment,
        workingDirectory: String = "/",
        hostname: String? = nil,
        user: UserSpec = .root,
        cpus: Double? = nil,
        memoryLimitBytes: Int64? = nil,
        pidsLimit: Int? = nil,
        network: NetworkMode = .none,
        resourceLimits: [ResourceLimit] = [],
        bindMounts: [BindMount] = [],
        logDirectory: String? = nil
    ) {
        self.id = id
        self.name = name ?? id
        self.rootfs = rootfs
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.hostname = hostname ?? String((name ?? id).prefix(63))
        self.user = user
        self.cpus = cpus
        self.memoryLimitBytes = memoryLimitBytes
        self.pidsLimit = pidsLimit
        self.network = network
        self.resourceLimits = resourceLimits
        self.bindMounts = bindMounts
        self.logDirectory = logDirectory
    }

    enum CodingKeys: String, CodingKey {
        case id, name, rootfs, arguments, environment, workingDirectory, hostname, user, cpus
        case memoryLimitBytes, pidsLimit, network, resourceLimits, bindMounts, logDirectory, joinNamespacesOf, portMappings
        case security
    }

    /// Decodes a spec; records written before bind mounts existed decode with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        rootfs = try container.decode(RootFilesystem.self, forKey: .rootfs)
        arguments = try container.decode([String].self, forKey: .arguments)
        environment = try container.decode([String].self, forKey: .environment)
        workingDirectory = try container.decode(String.self, forKey: .workingDirectory)
        hostname = try container.decode(String.self, forKey: .hostname)
        user = try container.decode(UserSpec.self, forKey: .user)
        cpus = try container.decodeIfPresent(Double.self, forKey: .cpus)
        memoryLimitBytes = try container.decodeIfPresent(Int64.self, forKey: .memoryLimitBytes)
        pidsLimit = try container.decodeIfPresent(Int.self, forKey: .pidsLimit)
        network = try container.decode(NetworkMode.self, forKey: .network)
        resourceLimits = try container.decode([ResourceLimit].self, forKey: .resourceLimits)
        bindMounts = try container.decodeIfPresent([BindMount].self, forKey: .bindMounts) ?? []
        logDirectory = try container.decodeIfPresent(String.self, forKey: .logDirectory)
        joinNamespacesOf = try container.decodeIfPresent(Int32.self, forKey: .joinNamespacesOf)
        portMappings = try container.decodeIfPresent([PortMapping].self, forKey: .portMappings) ?? []
        security = try container.decodeIfPresent(SecurityOptions.self, forKey: .security) ?? SecurityOptions()
    }

    /// The environment a task gets when none is given.
    public static let defaultEnvironment = [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    ]

    /// Checks what the kernel would otherwise reject late, with a worse message.
    public func validate() throws {
        guard !arguments.isEmpty, !(arguments.first?.isEmpty ?? true) else {
            throw ContainerError(.invalidSpec, stage: "validate(arguments)", cause: "no program to run")
        }
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ContainerError(.invalidSpec, stage: "validate(id)", cause: "'\(id)' is not [A-Za-z0-9_-]+")
        }
        if case .overlay(let lowerDirectories) = rootfs, lowerDirectories.isEmpty {
            throw ContainerError(
                .invalidSpec,
                stage: "validate(rootfs)",
                cause: "an overlay needs a lower directory"
            )
        }
        for mount in bindMounts
        where !mount.source.hasPrefix("/") || !mount.target.hasPrefix("/")
            || mount.target.split(separator: "/").contains("..")
        {
            throw ContainerError(
                .invalidSpec,
                stage: "validate(bind mount \(mount.source) → \(mount.target))",
                cause: "source and target must be absolute paths, the target without '..'"
            )
        }
        if !portMappings.isEmpty && network != .bridge {
            throw ContainerError(
                .invalidSpec, stage: "validate(port mappings)", cause: "publishing ports needs the bridge network (--net bridge)")
        }
        if let pid = joinNamespacesOf, pid <= 0 || network != .host {
            throw ContainerError(
                .invalidSpec, stage: "validate(joinNamespacesOf)",
                cause: "joining another process's namespaces needs its pid (> 0, not \(pid)) and network .host")
        }
        try security.validate(rootfs: rootfs, user: user)
        if let cpus, cpus <= 0 {
            throw ContainerError(.invalidSpec, stage: "validate(cpus)", cause: "must be positive")
        }
    }
}

/// Where the container's `/` comes from.
public enum RootFilesystem: Codable, Sendable, Equatable {
    /// The host's root filesystem (still in new mount, PID, UTS and IPC namespaces).
    case host
    /// overlayfs of image layers (topmost first) and a per-container upper directory.
    case overlay(lowerDirectories: [String])
}

/// A host directory (or file) mounted into the container with MS_BIND.
public struct BindMount: Codable, Sendable, Equatable {
    /// Absolute path on the host.
    public var source: String
    /// Absolute path inside the container; created (without following symlinks) in an
    /// overlay rootfs, and must exist when the task runs on the host root filesystem.
    public var target: String
    /// Whether the container sees it read-only.
    public var readOnly: Bool

    /// Makes a bind mount.
    public init(source: String, target: String, readOnly: Bool = false) {
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }
}

/// The container's network.
public enum NetworkMode: String, Codable, Sendable, Equatable, CaseIterable {
    /// A new network namespace with only loopback, brought up.
    case none
    /// The host's network namespace.
    case host
    /// A new network namespace with loopback and an `eth0` on the node's bridge (see
    /// `BridgeNetwork`): an address of its own, outbound NAT, and `portMappings` published.
    case bridge
}

/// The user a task runs as.
public struct UserSpec: Codable, Sendable, Equatable {
    /// Numeric user id.
    public var uid: UInt32
    /// Numeric primary group id.
    public var gid: UInt32
    /// Supplementary groups.
    public var additionalGroups: [UInt32]

    /// Makes a user spec.
    public init(uid: UInt32, gid: UInt32, additionalGroups: [UInt32] = []) {
        self.uid = uid
        self.gid = gid
        self.additionalGroups = additionalGroups
    }

    /// root:root with no supplementary groups.
    public static let root = UserSpec(uid: 0, gid: 0)
}

/// One setrlimit applied to the task.
public struct ResourceLimit: Codable, Sendable, Equatable {
    /// The limited resource.
    public enum Resource: String, Codable, Sendable, Equatable {
        case core, cpu, data, fileSize, openFiles, processes, stack, addressSpace
    }

    /// The limited resource.
    public var resource: Resource
    /// Soft limit.
    public var soft: UInt64
    /// Hard limit.
    public var hard: UInt64

    /// Makes a limit.
    public init(_ resource: Resource, soft: UInt64, hard: UInt64) {
        self.resource = resource
        self.soft = soft
        self.hard = hard
    }
}
