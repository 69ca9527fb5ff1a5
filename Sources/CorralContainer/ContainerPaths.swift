/// Where one container's state lives: `<root>/containers/<id>/`.
public struct ContainerPaths: Sendable, Equatable {
    /// The state root, e.g. `/var/lib/corral`.
    public let root: String
    /// The container id.
    public let id: String

    /// Names the paths of `id` under `root` (nothing is created).
    public init(root: String, id: String) {
        self.root = root
        self.id = id
    }

    /// The default state root.
    public static let defaultRoot = "/var/lib/corral"

    /// `<root>/containers`.
    public var containers: String { "\(root)/containers" }
    /// `<root>/containers/<id>`.
    public var directory: String { "\(containers)/\(id)" }
    /// The persisted record.
    public var config: String { "\(directory)/config.json" }
    /// overlayfs upper directory (the container's writes).
    public var upper: String { "\(directory)/upper" }
    /// overlayfs work directory.
    public var work: String { "\(directory)/work" }
    /// Mount point of the overlay (mounted only inside the container's mount namespace).
    public var rootfs: String { "\(directory)/rootfs" }
    /// The task's standard output.
    public var stdout: String { "\(directory)/stdout" }
    /// The task's standard error.
    public var stderr: String { "\(directory)/stderr" }
}
