/// How a container is confined beyond its namespaces, capabilities and cgroups (which every
/// container gets): the options Docker exposes as `--security-opt seccomp=…` and `--read-only`,
/// and the host directories a task on the host root filesystem must not see.
public struct SecurityOptions: Codable, Sendable, Equatable {
    /// The seccomp filter installed right before exec.
    public var seccomp: SeccompProfile
    /// The root filesystem is mounted read-only (/proc, /dev, /sys and bind mounts keep theirs).
    public var readOnlyRootfs: Bool
    /// Host directories hidden from a task on the host root filesystem (`RootFilesystem.host`
    /// only): each is covered by an empty read-only tmpfs; bind mounts into them still appear.
    public var hiddenPaths: [String]
    /// A user namespace: root in the container is `hostUID` on the host (nil: the host's root).
    public var userNamespace: UserNamespaceMapping?

    /// Makes options; the defaults are Docker's (default seccomp profile, writable root).
    public init(
        seccomp: SeccompProfile = .dockerDefault, readOnlyRootfs: Bool = false, hiddenPaths: [String] = [],
        userNamespace: UserNamespaceMapping? = nil
    ) {
        self.seccomp = seccomp
        self.readOnlyRootfs = readOnlyRootfs
        self.hiddenPaths = hiddenPaths
        self.userNamespace = userNamespace
    }

    enum CodingKeys: String, CodingKey {
        case seccomp, readOnlyRootfs, hiddenPaths, userNamespace
    }

    /// Decodes options; a missing field takes its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seccomp = try container.decodeIfPresent(SeccompProfile.self, forKey: .seccomp) ?? .dockerDefault
        readOnlyRootfs = try container.decodeIfPresent(Bool.self, forKey: .readOnlyRootfs) ?? false
        hiddenPaths = try container.decodeIfPresent([String].self, forKey: .hiddenPaths) ?? []
        userNamespace = try container.decodeIfPresent(UserNamespaceMapping.self, forKey: .userNamespace)
    }

    /// Checks the options against the root filesystem and user they apply to.
    func validate(rootfs: RootFilesystem, user: UserSpec) throws {
        if let mapping = userNamespace {
            guard case .overlay = rootfs else {
                throw ContainerError(
                    .invalidSpec, stage: "validate(userNamespace)", cause: "a user namespace needs an image (an overlay root filesystem)")
            }
            let ids = [user.uid, user.gid] + user.additionalGroups
            guard mapping.hostUID > 0, mapping.hostGID > 0, mapping.size > 0, ids.allSatisfy({ $0 < mapping.size }),
                UInt64(mapping.hostUID) + UInt64(mapping.size) <= UInt64(UInt32.max)
            else {
                throw ContainerError(
                    .invalidSpec, stage: "validate(userNamespace \(mapping.hostUID):\(mapping.hostGID):\(mapping.size))",
                    cause: "give host IDs above 0 and a size that holds the task's uid and gids (\(ids))")
            }
        }
        try validateHiddenPaths(rootfs: rootfs)
    }

    /// Checks the hidden paths against the root filesystem they apply to.
    private func validateHiddenPaths(rootfs: RootFilesystem) throws {
        guard !hiddenPaths.isEmpty else { return }
        guard rootfs == .host else {
            throw ContainerError(
                .invalidSpec, stage: "validate(hiddenPaths)",
                cause: "hidden paths apply to the host root filesystem only; an image shows no host directory anyway")
        }
        for path in hiddenPaths
        where !path.hasPrefix("/") || path == "/" || path.hasSuffix("/") || path.split(separator: "/").contains("..") {
            throw ContainerError(
                .invalidSpec, stage: "validate(hidden path \(path))",
                cause: "give an absolute directory other than /, without '..' or a trailing '/'")
        }
    }
}

/// IDs 0..<size of a user namespace mapped to host IDs from hostUID and hostGID on (a
/// subordinate range, as /etc/subuid and /etc/subgid hand out).
public struct UserNamespaceMapping: Codable, Sendable, Equatable {
    /// The host uid of the container's root.
    public var hostUID: UInt32
    /// The host gid of the container's root group.
    public var hostGID: UInt32
    /// How many IDs are mapped.
    public var size: UInt32

    /// Makes a mapping.
    public init(hostUID: UInt32, hostGID: UInt32, size: UInt32 = 65536) {
        self.hostUID = hostUID
        self.hostGID = hostGID
        self.size = size
    }
}

extension UserSpec {
    /// The user as the host sees it from inside a user namespace with `mapping` (IDs past the
    /// range are not shifted; `SecurityOptions.validate` refuses them).
    public func shifted(by mapping: UserNamespaceMapping) -> UserSpec {
        UserSpec(
            uid: uid < mapping.size ? mapping.hostUID + uid : uid, gid: gid < mapping.size ? mapping.hostGID + gid : gid,
            additionalGroups: additionalGroups)
    }
}

/// The seccomp filter of a container.
public enum SeccompProfile: String, Codable, Sendable, Equatable, CaseIterable {
    /// Docker's default profile (x86_64): an allow-list, EPERM for everything else.
    case dockerDefault = "default"
    /// No filter (Docker's `seccomp=unconfined`).
    case unconfined
}
