import Foundation
import Glibc

// MARK: - Running a step

extension ImageBuilder {
    /// Runs a step the cache did not have and stores its image. Whatever happens, its container,
    /// overlay mount and directories are gone when this returns.
    func execute(
        _ instruction: DockerfileInstruction,
        _ command: DockerfileCommand,
        _ state: inout State,
        copy: CopyPlan?,
        cacheKey: String
    ) throws {
        var configFile = state.configFile
        configFile.config = BuildConfig.apply(command, to: state.config, cmdSet: state.cmdSet)
        configFile.created = Date.now.formatted(.iso8601)
        let step = try StepDirectory(in: workDirectory)
        defer { step.remove() }
        let scratch = step.path
        var overlay: BuildOverlay?
        var layer: String?
        switch command {
        case .run(let form):
            layer = try run(form, instruction: instruction, state: state, step: step)
        case .copy, .add:
            let mounted = try BuildOverlay.mount(lowerDirectories: try layers(of: state), directory: scratch)
            overlay = mounted
            try copy?.apply(to: mounted)
            layer = mounted.upper
        case .workdir:
            let directory = configFile.config?.workingDir ?? "/"
            let mounted = try BuildOverlay.mount(lowerDirectories: try layers(of: state), directory: scratch)
            overlay = mounted
            if try !mounted.isDirectory(directory) {
                try mounted.makeDirectories(directory)
                layer = mounted.upper
            }
        default:
            break
        }
        try overlay?.unmount()
        let entry = ImageConfigFile.HistoryEntry(
            created: configFile.created,
            createdBy: instruction.text,
            emptyLayer: layer == nil ? true : nil
        )
        configFile.history = (configFile.history ?? []) + [entry]
        let image = try store.storeBuildStep(
            base: state.image,
            layer: layer,
            configFile: configFile,
            cacheKey: cacheKey
        )
        state.image = image
        state.configFile = image.configFile
    }

    /// The image's layer directories so far, topmost first (none for `scratch`).
    private func layers(of state: State) throws -> [String] {
        guard let image = state.image else { return [] }
        return try store.lowerDirectories(of: image, reference: image.manifestDigest.description)
    }

    /// `RUN`: the process in a container on an overlay of the image so far, with its config's
    /// environment (and the stage's ARGs), working directory and user, without a network.
    /// Returns the container's upper directory (kept when it ended) once it exited 0.
    private func run(
        _ form: ProcessForm,
        instruction: DockerfileInstruction,
        state: State,
        step: StepDirectory
    ) throws -> String {
        let layers = try layers(of: state)
        guard !layers.isEmpty else {
            throw DockerfileError(
                line: instruction.line,
                instruction: "RUN",
                "needs files to run: the image so far (FROM scratch) has none; COPY a shell in first"
            )
        }
        let config = state.config
        var environment = config.env
        for (name, value) in state.arguments.sorted(by: { $0.key < $1.key }) {
            if let value, BuildConfig.value(of: name, in: environment) == nil {
                environment.append("\(name)=\(value)")
            }
        }
        if BuildConfig.value(of: "PATH", in: environment) == nil {
            environment += LaunchSpec.defaultEnvironment
        }
        let user =
            try config.user.isEmpty
            ? UserSpec.root
            : UserDatabase.resolve(
                config.user,
                passwd: UserDatabase.read("etc/passwd", layers: layers),
                group: UserDatabase.read("etc/group", layers: layers)
            )
        let id = "build-" + step.id
        let spec = LaunchSpec(
            id: id,
            rootfs: .overlay(lowerDirectories: layers),
            arguments: form.arguments,
            environment: environment,
            workingDirectory: config.workingDir.isEmpty ? "/" : config.workingDir,
            user: user,
            network: .none
        )
        let container = Container(
            spec: spec,
            paths: ContainerPaths(root: step.path, id: id),
            logOptions: LogOptions(echo: true),
            keepsUpperDirectory: true
        )
        let exit = try container.run()
        guard exit.exitCode == 0 else {
            let command = form.arguments.joined(separator: " ")
            throw DockerfileError(
                line: instruction.line,
                instruction: "RUN",
                "'\(command)' returned a non-zero code: \(exit.exitCode)",
                exitCode: exit.exitCode
            )
        }
        return container.paths.upper
    }

    /// Twelve random hex digits, naming a step's directory and container.
    static func randomID() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16).padding(
            toLength: 12,
            withPad: "0",
            startingAt: 0
        )
    }
}

// MARK: - COPY and ADD

/// What a `COPY` or `ADD` copies: its sources resolved in the context, and where they go.
struct CopyPlan {
    var items: [(source: BuildContext.Source, entries: [BuildContext.Entry])]
    /// The absolute destination inside the image.
    var destination: String
    /// Whether the destination is a directory by how it is written (a trailing `/`, or several sources).
    var destinationIsDirectory: Bool
    var chown: String?

    /// Resolves `sources` (wildcards allowed) in `context`; `destination` is relative to `workingDirectory`.
    init(
        context: BuildContext,
        sources: [String],
        destination: String,
        chown: String?,
        workingDirectory: String
    ) throws {
        items = try sources.flatMap { try context.sources($0) }.map { ($0, try context.entries(of: $0)) }
        self.destination = BuildConfig.absolute(destination, in: workingDirectory)
        destinationIsDirectory = destination.hasSuffix("/") || destination == "." || items.count > 1
        self.chown = chown
    }

    /// The digest of what is copied (paths, types, modes, contents).
    func digest() throws -> String {
        try BuildContext.digest(of: items.map(\.entries))
    }

    /// Copies into the mounted image: a directory's contents into the destination directory, a
    /// file to the destination (or into it, when it is a directory).
    func apply(to overlay: BuildOverlay) throws {
        var owner = UserSpec.root
        if let chown {
            let read = { (path: String) -> String? in
                guard let host = try? overlay.rootfs.host(overlay.rootfs.resolve(path)) else { return nil }
                return (try? Syscall.readFile(host)).map { String(decoding: $0, as: UTF8.self) }
            }
            owner = try UserDatabase.resolve(chown, passwd: read("/etc/passwd"), group: read("/etc/group"))
        }
        let intoDirectory = try destinationIsDirectory || overlay.isDirectory(destination)
        for (source, entries) in items {
            let base: String
            if source.isDirectory || intoDirectory {
                try overlay.makeDirectories(destination)
                base = source.isDirectory ? destination : destination + "/" + source.name
            } else {
                try overlay.makeDirectories((destination as NSString).deletingLastPathComponent)
                base = destination
            }
            for entry in entries where !(source.isDirectory && entry.relative.isEmpty) {
                try overlay.copy(
                    entry,
                    to: entry.relative.isEmpty ? base : base + "/" + entry.relative,
                    owner: owner
                )
            }
        }
    }
}
