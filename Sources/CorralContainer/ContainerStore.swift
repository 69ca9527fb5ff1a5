import CorralModel
import Foundation

/// The node's container state root: one directory and one JSON record per container.
public struct ContainerStore: Sendable {
    /// The state root, e.g. `/var/lib/corral`.
    public let root: String

    /// Uses `root` (created on first save).
    public init(root: String) {
        self.root = root
    }

    /// `--root`, else `$CORRAL_ROOT`, else `/var/lib/corral`.
    public static func resolveRoot(option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let value = ProcessInfo.processInfo.environment["CORRAL_ROOT"], !value.isEmpty { return value }
        return ContainerPaths.defaultRoot
    }

    /// The paths of one container.
    public func paths(for id: String) -> ContainerPaths { ContainerPaths(root: root, id: id) }

    /// Writes the record atomically (temporary file, then rename).
    public func save(_ record: ContainerRecord) throws {
        let paths = paths(for: record.id)
        try ContainerSyscall.mkdirs(paths.directory, code: .io)
        let data: Data
        do { data = try Self.encode(record) } catch {
            throw ContainerError(.io, stage: "encode(\(paths.config))", cause: "\(error)")
        }
        let temporary = paths.config + ".tmp"
        try ContainerSyscall.writeFile(temporary, String(decoding: data, as: UTF8.self), create: true)
        try ContainerSyscall.rename(temporary, paths.config)
    }

    /// Reads one record as stored (not reconciled).
    public func load(id: String) throws -> ContainerRecord {
        let path = paths(for: id).config
        guard ContainerSyscall.exists(path) else {
            throw ContainerError(.notFound, stage: "load(\(id))", cause: "no container with id \(id)")
        }
        let bytes = try ContainerSyscall.readBytes(path)
        do { return try Self.decode(Data(bytes)) } catch {
            throw ContainerError(.io, stage: "decode(\(path))", cause: "\(error)")
        }
    }

    /// A record as `save` writes it: compact JSON, ISO 8601 dates. Not inlined, so the
    /// supervisor spawner's warm-up fills the very caches `save` uses.
    @inline(never)
    static func encode(_ record: ContainerRecord) throws -> Data {
        Data(try StreamingJSONEncoder.encode(record, iso8601Dates: true))
    }

    /// A record as `load` reads it (not inlined, as `encode`).
    @inline(never)
    static func decode(_ data: Data) throws -> ContainerRecord {
        try JSONBytesDecoder.decode(ContainerRecord.self, from: Array(data), iso8601Dates: true)
    }

    /// Every record, reconciled with what runs, oldest first.
    public func list() throws -> [ContainerRecord] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/containers")) ?? []
        return ids.compactMap { try? reconciled(load(id: $0)) }.sorted { $0.createdAt < $1.createdAt }
    }

    /// The container with this id, name or unique id prefix.
    public func find(_ reference: String) throws -> ContainerRecord {
        let records = try list()
        if let match = records.first(where: { $0.id == reference || $0.name == reference }) { return match }
        let prefixed = records.filter { $0.id.hasPrefix(reference) }
        guard prefixed.count == 1, let match = prefixed.first else {
            let cause = prefixed.isEmpty ? "no such container" : "ambiguous id prefix"
            throw ContainerError(.notFound, stage: "find(\(reference))", cause: cause)
        }
        return match
    }

    /// A recorded-running container whose init and supervisor are both gone is marked
    /// exited (exit code unknown); the change is saved.
    public func reconciled(_ record: ContainerRecord) throws -> ContainerRecord {
        guard case .running(let initProcess, let supervisor) = record.state,
            !initProcess.isAlive, !supervisor.isAlive
        else { return record }
        // The supervisor is gone, so it can no longer write: re-read what it wrote last,
        // which may already be the real exit status.
        var updated = try load(id: record.id)
        guard updated.isRunning else { return updated }
        updated.state = .exited(exitCode: nil, oomKilled: false, finishedAt: Date())
        try save(updated)
        return updated
    }

    /// Deletes a container's directory; it must not be running.
    public func remove(_ record: ContainerRecord) throws {
        if try reconciled(record).isRunning {
            throw ContainerError.wrongState("remove \(record.name)", expected: "stopped")
        }
        try removeEnded(id: record.id)
    }

    /// Deletes the directory of a container its caller already saw end (its exit was read
    /// from the record), without reading the record again: whatever is left in its cgroups
    /// is killed first.
    public func removeEnded(id: String) throws {
        try cleanUpLeftovers(ofID: id, scanMounts: false)
        try FileTree.remove(paths(for: id).directory)
    }
}
