import Foundation

/// Builds an image from a Dockerfile into an image store, one step per instruction, as
/// `docker build` does: each step's image is kept and cached (`BuildCache`), `RUN` runs in a
/// container of the image so far and its writes become a layer, `COPY`/`ADD` copy from the
/// context into a layer, and the other instructions change only the config.
public struct ImageBuilder {
    /// What to build and how.
    public struct Options: Sendable {
        /// The build context directory.
        public var context: String
        /// `--build-arg NAME=value` values.
        public var buildArguments: [String: String]
        /// Whether to run every step again instead of reusing cached ones.
        public var noCache: Bool
        /// The name to give the image; nil leaves it unnamed, found by its digest.
        public var tag: String?

        /// Makes options.
        public init(
            context: String,
            buildArguments: [String: String] = [:],
            noCache: Bool = false,
            tag: String? = nil
        ) {
            self.context = context
            self.buildArguments = buildArguments
            self.noCache = noCache
            self.tag = tag
        }
    }

    /// What a build made.
    public struct Result: Sendable, Equatable {
        /// The image's manifest digest.
        public var digest: Digest
        /// How many steps reused a cached image.
        public var cachedSteps: Int
        /// How many steps there were (`FROM` included).
        public var steps: Int
    }

    /// The store the image goes into.
    let store: ImageStore
    /// Where `RUN` containers and `COPY` overlays live while a step runs (`<root>/build`).
    let workDirectory: String
    /// Receives the progress lines (`Step 2/5 : RUN make`, ` ---> Using cache`).
    let output: (String) -> Void

    /// A builder into `store`, with its step directories under `<stateRoot>/build`.
    public init(store: ImageStore, stateRoot: String, output: @escaping (String) -> Void) {
        self.store = store
        workDirectory = stateRoot + "/build"
        self.output = output
    }

    /// Where a build stands between steps.
    struct State {
        var image: ImageStore.ResolvedImage?
        var configFile: ImageConfigFile
        /// The ARGs declared in the stage, with their values (nil: declared, no value).
        var arguments: [String: String?] = [:]
        var cmdSet = false
        var cached = 0

        /// Variables for substitution: the config's environment, then the stage's ARGs.
        func lookup(_ name: String) -> String? {
            if let value = BuildConfig.value(of: name, in: configFile.config?.env ?? []) { return value }
            return arguments[name] ?? nil
        }

        var config: ImageConfig { configFile.config ?? ImageConfig() }
    }

    /// Builds `dockerfile`; throws a `DockerfileError` naming the line of the step that failed.
    public func build(_ dockerfile: Dockerfile, options: Options) throws -> Result {
        if let tag = options.tag { try ImageStore.validateName(tag) }
        try Syscall.makeDirectories(workDirectory)
        StepDirectory.sweep(workDirectory)
        let context = try BuildContext(directory: options.context)
        guard let fromIndex = dockerfile.instructions.firstIndex(where: { $0.keyword == "FROM" }) else {
            throw DockerfileError(line: 1, instruction: "FROM", "the Dockerfile has no FROM")
        }
        var global: [String: String?] = [:]
        var consumed = Set<String>()
        for instruction in dockerfile.instructions[..<fromIndex] {
            if case .arg(let name, let value) = try instruction.command(expanding: { global[$0] ?? nil }) {
                let resolved: String? = options.buildArguments[name] ?? value
                global[name] = .some(resolved)
                consumed.insert(name)
            }
        }
        let steps = Array(dockerfile.instructions[fromIndex...])
        var state = try from(steps[0], global: global, total: steps.count)
        for (offset, instruction) in steps.enumerated().dropFirst() {
            output("Step \(offset + 1)/\(steps.count) : \(instruction.text)")
            let command = try instruction.command(expanding: state.lookup)
            if case .arg(let name, let value) = command {
                let inherited: String? = global[name] ?? nil
                let resolved: String? = options.buildArguments[name] ?? value ?? inherited
                state.arguments[name] = .some(resolved)
                consumed.insert(name)
            } else {
                try step(instruction, command, &state, context: context, noCache: options.noCache)
            }
            output(" ---> \(state.image.map { $0.manifestDigest.short } ?? "scratch")")
        }
        let unused = options.buildArguments.keys.filter { !consumed.contains($0) }.sorted()
        if !unused.isEmpty {
            output("[Warning] One or more build-args [\(unused.joined(separator: " "))] were not consumed")
        }
        guard let image = state.image else {
            throw DockerfileError(
                line: steps[0].line,
                instruction: "FROM",
                "scratch with no other step makes no image; add a step"
            )
        }
        try store.nameBuiltImage(image.manifestDigest, as: options.tag)
        output("Successfully built \(image.manifestDigest)")
        if let tag = options.tag { output("Successfully tagged \(tag)") }
        return Result(digest: image.manifestDigest, cachedSteps: state.cached, steps: steps.count)
    }

    /// `FROM`: the base image from the store, or `scratch`.
    private func from(_ instruction: DockerfileInstruction, global: [String: String?], total: Int) throws
        -> State
    {
        output("Step 1/\(total) : \(instruction.text)")
        guard case .from(let reference, _) = try instruction.command(expanding: { global[$0] ?? nil }) else {
            throw DockerfileError(line: instruction.line, instruction: "FROM", "must come first")
        }
        if reference == "scratch" {
            output(" ---> scratch")
            return State(
                configFile: ImageConfigFile(
                    created: nil,
                    architecture: ImageStore.architecture,
                    os: "linux",
                    config: ImageConfig(),
                    rootfs: .init(type: "layers", diffIDs: []),
                    history: []
                )
            )
        }
        let image: ImageStore.ResolvedImage
        do { image = try store.resolve(reference) } catch {
            throw DockerfileError(
                line: instruction.line,
                instruction: "FROM",
                "cannot use '\(reference)': \(error); import it first (corral image import / import-rootfs)"
            )
        }
        var configFile = image.configFile
        if configFile.history?.isEmpty ?? true {
            configFile.history = configFile.rootfs.diffIDs.map { _ in
                ImageConfigFile.HistoryEntry(
                    created: configFile.created,
                    createdBy: "corral: a layer of \(reference)"
                )
            }
        }
        output(" ---> \(image.manifestDigest.short)")
        return State(image: image, configFile: configFile)
    }

    /// One step after `FROM` (not `ARG`): found in the cache, or run and stored.
    private func step(
        _ instruction: DockerfileInstruction,
        _ command: DockerfileCommand,
        _ state: inout State,
        context: BuildContext,
        noCache: Bool
    ) throws {
        let at = { (error: any Error) -> DockerfileError in
            (error as? DockerfileError)
                ?? DockerfileError(
                    line: instruction.line,
                    instruction: instruction.keyword,
                    "failed: \(error)"
                )
        }
        do {
            var copied: CopyPlan?
            var key = String(decoding: try JSONCoding.encode(command), as: UTF8.self)
            var content = ""
            switch command {
            case .run:
                let arguments = state.arguments.compactMap { name, value in value.map { "\(name)=\($0)" } }
                    .sorted()
                key += " arguments \(arguments)"
            case .copy(let sources, let destination, let chown),
                .add(let sources, let destination, let chown):
                let plan = try CopyPlan(
                    context: context,
                    sources: sources,
                    destination: destination,
                    chown: chown,
                    workingDirectory: state.config.workingDir
                )
                if case .add = command,
                    sources.contains(where: {
                        $0.hasSuffix(".tar") || $0.hasSuffix(".tar.gz") || $0.hasSuffix(".tgz")
                    })
                {
                    output("note: Corral's ADD copies archives as they are; it does not extract them")
                }
                content = try plan.digest()
                copied = plan
            default:
                break
            }
            let cacheKey = BuildCache.key(
                parent: state.image?.manifestDigest,
                instruction: key,
                content: content
            )
            if !noCache, let cached = store.cachedBuildStep(cacheKey) {
                output(" ---> Using cache")
                state.image = cached
                state.configFile = cached.configFile
                state.cached += 1
            } else {
                try execute(instruction, command, &state, copy: copied, cacheKey: cacheKey)
            }
            if case .cmd = command { state.cmdSet = true }
        } catch {
            throw at(error)
        }
    }
}
