import CorralContainer
import CorralModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The blocking half of `TaskRunner.launch`: sandbox, image, spec, record, detached start.
struct TaskLauncher {
    let core: TaskRunnerCore

    private var configuration: TaskRunnerConfiguration { core.configuration }

    /// Starts the container; returns the running task and its supervisor (nil if it is gone already).
    func start(_ launch: TaskLaunch) -> Result<(RunningTask, ProcessIdentity?), TaskEnd> {
        if let invalid = TaskLaunchPlan.invalidID(launch.key) { return .failure(invalid) }
        let sandbox = configuration.sandbox(for: launch.key)
        do {
            try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
            // The log files exist before the task runs (the supervisor opens them for append).
            for name in ["stdout", "stderr"] where !FileManager.default.fileExists(atPath: "\(sandbox)/\(name)") {
                guard FileManager.default.createFile(atPath: "\(sandbox)/\(name)", contents: Data()) else {
                    throw ContainerError(.io, stage: "create '\(sandbox)/\(name)'", cause: "not writable")
                }
            }
        } catch {
            return .failure(Self.launchFailed("create the sandbox \(sandbox)", "\(error)"))
        }
        if let uris = launch.task.command?.uris, !uris.isEmpty {
            do {
                try UriFetcher(cacheDirectory: "\(configuration.workDirectory)/fetcher-cache").fetch(uris, into: sandbox)
            } catch {
                return .failure(Self.launchFailed("fetch the task's URIs", error.description))
            }
        }
        let rootfs: ResolvedRootfs
        switch resolveRootfs(launch.task) {
        case .success(let resolved): rootfs = resolved
        case .failure(let end): return .failure(end)
        }
        let containerID = UUID().uuidString.lowercased()
        let spec: LaunchSpec
        switch TaskLaunchPlan.spec(
            for: launch,
            containerID: containerID,
            sandbox: sandbox,
            rootfs: rootfs,
            configuration: configuration
        ) {
        case .success(let planned): spec = planned
        case .failure(let end): return .failure(end)
        }
        // The sandbox belongs to the task's user as the host sees it (shifted by the user
        // namespace's range when there is one); what the fetcher put there too.
        let owner = spec.security.userNamespace.map { spec.user.shifted(by: $0) } ?? spec.user
        if owner != .root {
            let paths = spec.security.userNamespace == nil ? [sandbox] : [sandbox] + Self.contents(of: sandbox)
            for path in paths where lchown(path, owner.uid, owner.gid) != 0 {
                return .failure(Self.launchFailed("chown the sandbox \(path)", String(cString: strerror(errno))))
            }
        }
        let volumeRoot = PersistentVolumes.root(workDirectory: configuration.workDirectory) + "/"
        do {
            try PersistentVolumes.prepare(spec.bindMounts.filter { $0.source.hasPrefix(volumeRoot) }, hostRootfs: rootfs.image == nil, user: owner)
        } catch {
            return .failure(Self.launchFailed("prepare the task's persistent volumes", "\(error)"))
        }
        let record = ContainerRecord(spec: spec, labels: TaskRunnerCore.labels(for: launch.key))
        let started: StartedContainer?
        do {
            try core.store.save(record)
            started = try core.spawner.start(record)
        } catch {
            // The supervisor cleaned up what it started; remove the record and any leftovers.
            if let saved = try? core.store.load(id: containerID) { try? core.store.remove(saved) }
            let failure = ContainerError.wrapping(error, "start the container")
            return .failure(Self.launchFailed(failure.stage, failure.cause))
        }
        var pid: Int32 = 0
        var supervisor: ProcessIdentity?
        if let started {
            pid = started.initProcess.pid
            supervisor = started.supervisor
        } else if case .running(let initProcess, let supervising) = ((try? core.store.load(id: containerID)) ?? record).state {
            pid = initProcess.pid
            supervisor = supervising
        }
        return .success((RunningTask(key: launch.key, containerID: containerID, pid: pid, sandbox: sandbox), supervisor))
    }

    /// The image's layers and users, or the host's users when the task names no image.
    private func resolveRootfs(_ task: TaskInfo) -> Result<ResolvedRootfs, TaskEnd> {
        let wantsUser = task.command?.user.map { !$0.isEmpty } ?? false
        guard let name = TaskLaunchPlan.imageName(of: task) else {
            let users = wantsUser ? Self.users(under: [""]) : UserDatabase(passwd: "", group: "")
            return .success(ResolvedRootfs(image: nil, users: users))
        }
        for candidate in Self.candidates(for: name) {
            let image: LaunchImage
            do {
                image = try core.images.image(candidate)
            } catch let error as ContainerError where error.code == .notFound {
                continue
            } catch {
                return .failure(preparationFailed("image '\(candidate)' cannot be read from the store under \(configuration.imageRoot): \(error)"))
            }
            let users = wantsUser ? Self.users(under: image.layers) : UserDatabase(passwd: "", group: "")
            return .success(ResolvedRootfs(image: (candidate, image.layers, image.config), users: users))
        }
        switch Result(catching: { try core.puller.reference(for: name) }) {
        case .success(let reference?):
            do {
                let image = try core.puller.pull(reference, as: name, images: core.images)
                let users = wantsUser ? Self.users(under: image.layers) : UserDatabase(passwd: "", group: "")
                return .success(ResolvedRootfs(image: (name, image.layers, image.config), users: users))
            } catch {
                return .failure(preparationFailed("image '\(name)' could not be pulled from \(reference.registry): \(error)"))
            }
        case .failure(let error):
            return .failure(preparationFailed("image '\(name)' is not a reference a registry can serve: \(error)"))
        case .success(nil):
            break
        }
        return .failure(
            preparationFailed(
                "image '\(name)' is not in the agent's image store \(configuration.imageRoot)/images; import it on this node with "
                    + "`corral image import --root \(configuration.imageRoot) LAYOUT --name \(name)` (an OCI layout "
                    + "or its tar) or `corral image import-rootfs --root \(configuration.imageRoot) \(name) DIR`, "
                    + "name its registry (HOST:PORT/\(name)), or start the agent with --registry HOST:PORT"
            )
        )
    }

    /// `name`, then Docker's spellings of it: with `:latest`, without `docker.io/` and `library/`.
    static func candidates(for name: String) -> [String] {
        var names = [name]
        var bare = name
        for prefix in ["docker.io/", "index.docker.io/", "library/"] where bare.hasPrefix(prefix) {
            bare.removeFirst(prefix.count)
            names.append(bare)
        }
        let lastPart = bare.split(separator: "/").last ?? ""
        if !lastPart.contains(":") && !bare.contains("@") {
            names += names.map { $0 + ":latest" }
        }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    /// `/etc/passwd` and `/etc/group` of the topmost layer that has them (symlinks are not followed).
    static func users(under layers: [String]) -> UserDatabase {
        func read(_ file: String) -> String {
            for layer in layers {
                let path = layer + file
                guard let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType,
                    type == .typeRegular
                else { continue }
                return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            }
            return ""
        }
        return UserDatabase(passwd: read("/etc/passwd"), group: read("/etc/group"))
    }

    private func preparationFailed(_ message: String) -> TaskEnd {
        TaskEnd(state: .failed, reason: .containerPreparationFailed, message: message)
    }

    /// Every path under `directory` (not following symbolic links).
    static func contents(of directory: String) -> [String] {
        guard let walk = FileManager.default.enumerator(atPath: directory) else { return [] }
        return walk.compactMap { ($0 as? String).map { "\(directory)/\($0)" } }
    }

    static func launchFailed(_ stage: String, _ cause: String) -> TaskEnd {
        TaskEnd(
            state: .failed,
            reason: .containerLaunchFailed,
            message: "the container failed to launch: \(stage)" + (cause.isEmpty ? "" : ": \(cause)")
        )
    }
}
