extension ContainerStore {
    /// Makes an image named `name` of a running container, as `docker commit` does: its image
    /// with one more layer, what the container wrote (its overlay upper directory, deletions as
    /// whiteouts). The container is paused (cgroup freezer) while its files are read, unless
    /// `pause` is false, and runs on afterwards.
    ///
    /// Only a running container can be committed: Corral removes a container's upper
    /// directory when it ends, where Docker keeps it until `rm`.
    public func commit(_ record: ContainerRecord, to images: ImageStore, as name: String, pause: Bool = true) throws
        -> ImageSummary
    {
        guard case .overlay(let lowerDirectories) = record.spec.rootfs else {
            throw ContainerError(
                .invalidArgument,
                "container \(record.name) runs on the host's root filesystem; only a container run from an image can be committed")
        }
        guard try reconciled(record).isRunning else {
            throw ContainerError.wrongState("commit \(record.name) (its files are removed when it ends)", expected: "running")
        }
        let cgroup = Cgroup(id: record.id)
        if pause { try cgroup.freeze() }
        defer { if pause { try? cgroup.thaw() } }
        return try images.commit(upper: paths(for: record.id).upper, lowerDirectories: lowerDirectories, name: name)
    }
}
