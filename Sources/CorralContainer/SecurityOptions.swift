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

    /// Makes options; the defaults are Docker's (default seccomp profile, writable root).
    public init(seccomp: SeccompProfile = .dockerDefault, readOnlyRootfs: Bool = false, hiddenPaths: [String] = []) {
        self.seccomp = seccomp
        self.readOnlyRootfs = readOnlyRootfs
        self.hiddenPaths = hiddenPaths
    }

    enum CodingKeys: String, CodingKey {
        case seccomp, readOnlyRootfs, hiddenPaths
    }

    /// Decodes options; a missing field takes its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seccomp = try container.decodeIfPresent(SeccompProfile.self, forKey: .seccomp) ?? .dockerDefault
        readOnlyRootfs = try container.decodeIfPresent(Bool.self, forKey: .readOnlyRootfs) ?? false
        hiddenPaths = try container.decodeIfPresent([String].self, forKey: .hiddenPaths) ?? []
    }

    /// Checks the hidden paths against the root filesystem they apply to.
    func validate(rootfs: RootFilesystem) throws {
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

/// The seccomp filter of a container.
public enum SeccompProfile: String, Codable, Sendable, Equatable, CaseIterable {
    /// Docker's default profile (x86_64): an allow-list, EPERM for everything else.
    case dockerDefault = "default"
    /// No filter (Docker's `seccomp=unconfined`).
    case unconfined
}
