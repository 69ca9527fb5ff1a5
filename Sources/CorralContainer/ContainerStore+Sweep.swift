import Foundation

// MARK: - Leftovers

extension ContainerStore {
    /// Removes what a crashed supervisor may have left of containers that no longer
    /// run: their cgroups (killed first), mounts and overlay directories. Cgroups of
    /// ids that are not in this state root are not touched (another root owns them).
    /// Returns the ids it cleaned.
    @discardableResult
    public func sweep() -> [String] {
        var cleaned: [String] = []
        let records = (try? list()) ?? []
        for record in records {
            guard !record.isRunning, hasLeftovers(record) else { continue }
            if case .created = record.state { continue }
            if (try? cleanUpLeftovers(of: record)) != nil { cleaned.append(record.id) }
        }
        // Bridge leases (links, published ports) of containers that no longer run.
        let running = Set(records.filter { $0.isRunning || $0.state == .created }.map(\.id))
        if let bridge = try? BridgeNetwork.standard(root: root) {
            for id in bridge.sweep(isRunning: { running.contains($0) }) where !cleaned.contains(id) { cleaned.append(id) }
        }
        return cleaned
    }

    /// Whether cgroups, mounts or overlay directories of `record` remain.
    func hasLeftovers(_ record: ContainerRecord) -> Bool {
        let paths = paths(for: record.id)
        return Cgroup.existingIDs().contains(record.id) || ContainerSyscall.exists(paths.upper)
            || ContainerSyscall.exists(paths.work)
            || !MountTable.points(under: paths.directory).isEmpty
    }

    /// Kills and removes the cgroups, detaches mounts, removes upper/work/rootfs.
    func cleanUpLeftovers(of record: ContainerRecord) throws {
        try cleanUpLeftovers(ofID: record.id)
    }

    /// `cleanUpLeftovers(of:)` by container id. With `scanMounts` false, the mount table is
    /// read only when the rootfs directory is a mount point: a container whose supervisor saw
    /// it end mounted nothing in this namespace (its overlay lived in its own).
    func cleanUpLeftovers(ofID id: String, scanMounts: Bool = true) throws {
        let cgroup = Cgroup(id: id)
        try cgroup.killAll()
        try cgroup.remove()
        let paths = paths(for: id)
        if scanMounts || MountTable.isMountPoint(paths.rootfs) {
            MountTable.detachAll(under: paths.directory)
        }
        try OverlayRootfs(paths: paths, lowerDirectories: []).remove()
        try BridgeNetwork.standard(root: root).release(containerID: id)
    }
}
