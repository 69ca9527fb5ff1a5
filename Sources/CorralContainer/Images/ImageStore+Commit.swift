import Foundation
import Glibc

extension ImageStore {
    /// Makes an image named `name` of the image whose layers are `lowerDirectories` (a
    /// container's overlay lower directories, topmost first) with one more layer on top: the
    /// overlayfs upper directory `upper`, its deletions written as OCI whiteouts. The new image
    /// keeps the base image's config (entrypoint, command, environment, user, working
    /// directory); an image that had `name` loses it.
    @discardableResult
    public func commit(upper: String, lowerDirectories: [String], name: String) throws -> ImageSummary {
        try ImageStore.validateName(name)
        guard let info = try Syscall.lstatIfExists(upper), Syscall.type(info.st_mode) == S_IFDIR else {
            throw ContainerError(.notFound, "the container's upper directory '\(upper)' is gone")
        }
        try StoreLock.withExclusive(lockPath) {
            let base = try image(withLowerDirectories: lowerDirectories)
            _ = try withStage { stage in
                let layout = stage + "/commit"
                try RootfsLayoutWriter.begin(layout)
                for layer in base.manifest.layers { try Self.copyBlob(blobsDirectory + "/" + layer.digest.hex, to: layout, layer.digest) }
                let (layer, diffID) = try RootfsLayoutWriter.writeLayer(
                    of: RootfsArchiver(root: upper, overlayWhiteouts: true), into: layout)
                var configFile = base.configFile
                configFile.created = Date.now.formatted(.iso8601)
                configFile.rootfs.diffIDs.append(diffID)
                if let history = configFile.history, !history.isEmpty {
                    configFile.history = history + [.init(created: configFile.created, createdBy: "corral container commit")]
                }
                try RootfsLayoutWriter.finish(layout, name: name, configFile: configFile, layers: base.manifest.layers + [layer])
                return try importLayout(LayoutReader(path: layout), name: name, stage: stage)
            }
            try collectGarbageLocked()
        }
        guard let summary = try list().first(where: { $0.name == name }) else {
            throw ContainerError(.notFound, "image '\(name)' vanished right after its commit")
        }
        return summary
    }

    /// The stored image whose unpacked layers are exactly `lowerDirectories`, topmost first.
    func image(withLowerDirectories lowerDirectories: [String]) throws -> ResolvedImage {
        for descriptor in try readIndex().manifests.reversed() {
            let name = descriptor.refName ?? descriptor.digest.description
            guard let image = try? resolve(descriptor, name: name),
                (try? self.lowerDirectories(of: image, reference: name)) == lowerDirectories
            else { continue }
            return image
        }
        throw ContainerError(
            .notFound, "the image the container runs is no longer in \(directory) (removed after the container started?)")
    }

    /// Links (or, across filesystems, copies) a stored blob into a staged layout.
    static func copyBlob(_ path: String, to layout: String, _ digest: Digest) throws {
        let target = layout + "/blobs/sha256/" + digest.hex
        if try Syscall.lstatIfExists(target) != nil { return }
        if link(path, target) == 0 { return }
        let sink = try FileSink(creating: target)
        _ = try FileSource(path: path, noFollow: true).copy(to: sink)
        try sink.close()
    }
}
