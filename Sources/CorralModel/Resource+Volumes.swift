// Persistent volumes: a disk resource with `disk.persistence` (its ID) and `disk.volume`
// (where a task sees it) is a volume made on reserved disk by CREATE and unmade by DESTROY.

extension Resource {
    /// The volume's ID, when this is a persistent volume.
    public var persistenceID: String? { disk?.persistence?.id }

    /// The disk a volume was made from (what CREATE takes and DESTROY gives back): the same
    /// resource without its persistence and volume; itself when it is no volume.
    public var volumeSource: Resource {
        guard var disk, disk.persistence != nil || disk.volume != nil else { return self }
        var copy = self
        disk.persistence = nil
        disk.volume = nil
        copy.disk = disk.source == nil ? nil : disk
        return copy
    }

    /// Whether a volume's ID can name a directory on the agent: not empty, not `.` or `..`,
    /// no `/` and no NUL, at most 255 bytes.
    public static func namesAVolumeDirectory(_ id: String) -> Bool {
        !id.isEmpty && id != "." && id != ".." && !id.contains("/") && !id.contains("\0") && id.utf8.count <= 255
    }

    /// Whether a volume's `container_path` climbs out of where it is put (a `..` component).
    public static func climbsOut(_ containerPath: String) -> Bool {
        containerPath.split(separator: "/").contains("..")
    }

    /// Whether this volume and `other` are the same volume: the same ID for the same role.
    /// Frameworks echo a volume as offered, so its size and `container_path` are the
    /// registry's to check, not part of its name.
    public func isSameVolume(as other: Resource) -> Bool {
        persistenceID != nil && persistenceID == other.persistenceID && reservationRole == other.reservationRole
    }
}

extension Resources {
    /// The same resources with every volume counted as the disk it was made from: what an
    /// agent counts against what it has, since volumes, like dynamic reservations, are the
    /// master's books.
    public var withoutVolumes: Resources { Resources(map(\.volumeSource)) }

    /// The persistent volumes among these resources.
    public var volumes: [Resource] { filter(\.isPersistentVolume) }
}
