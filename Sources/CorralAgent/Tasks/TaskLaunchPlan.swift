import CorralContainer
import CorralModel

/// The root filesystem a task gets, as the runner found it on the node.
struct ResolvedRootfs: Sendable, Equatable {
    /// The image's name and layer directories (topmost first); nil: the host's root filesystem.
    var image: (name: String, lowerDirectories: [String], config: ImageConfig)?
    /// The users of that root filesystem.
    var users: UserDatabase

    static func == (lhs: ResolvedRootfs, rhs: ResolvedRootfs) -> Bool {
        lhs.image?.name == rhs.image?.name && lhs.image?.lowerDirectories == rhs.image?.lowerDirectories
            && lhs.image?.config == rhs.image?.config && lhs.users == rhs.users
    }
}

/// Turns a `TaskLaunch` into the `LaunchSpec` of its container, as Mesos's command executor
/// would run it: pure, so every rule is tested without a container.
enum TaskLaunchPlan {
    /// Where the sandbox appears inside a container that has its own image.
    static let mappedSandbox = "/mnt/mesos/sandbox"

    /// The image a task asks for (`container.mesos.image`, Docker or AppC name), if any.
    static func imageName(of task: TaskInfo) -> String? {
        guard let image = task.container?.mesos?.image else { return nil }
        return image.docker?.name ?? image.appc?.name
    }

    /// Refuses IDs that cannot name a sandbox directory (Mesos refuses them as well).
    static func invalidID(_ key: TaskKey) -> TaskEnd? {
        for (what, id, valid) in [
            ("framework", key.frameworkID.value, key.frameworkID.namesADirectory), ("task", key.taskID.value, key.taskID.namesADirectory),
        ] where !valid {
            return TaskEnd(
                state: .error,
                reason: .taskInvalid,
                message: "the \(what) ID '\(id)' cannot name a sandbox directory (empty, '.', '..' or with '/')"
            )
        }
        return nil
    }

    /// The container's spec, or the end of a task that cannot run as given.
    static func spec(
        for launch: TaskLaunch,
        containerID: String,
        sandbox: String,
        rootfs: ResolvedRootfs,
        configuration: TaskRunnerConfiguration
    ) -> Result<LaunchSpec, TaskEnd> {
        let task = launch.task
        guard let command = task.command else {
            return .failure(
                TaskEnd(
                    state: .error,
                    reason: .taskInvalid,
                    message: "task \(task.taskID) has no command; the command executor runs only `command` tasks"
                )
            )
        }
        guard let arguments = arguments(command, image: rootfs.image?.config), !arguments.isEmpty else {
            let form = command.isShell ? "a shell command needs `value`" : "give `value` (the program) or an image with an entrypoint or cmd"
            return .failure(
                TaskEnd(state: .error, reason: .taskInvalid, message: "task \(task.taskID) has nothing to run: \(form)")
            )
        }
        var user = UserSpec.root
        if let name = command.user, !name.isEmpty {
            guard let found = rootfs.users.lookup(name) else {
                let owner = rootfs.image.map { "image '\($0.name)'" } ?? "the agent's host"
                return .failure(
                    TaskEnd(
                        state: .failed,
                        reason: .containerLaunchFailed,
                        message: "user '\(name)' of task \(task.taskID) is not in /etc/passwd of \(owner)"
                    )
                )
            }
            user = found
        }
        let inside = rootfs.image == nil ? sandbox : mappedSandbox
        let resources = Resources(task.resources)
        let volumes: [BindMount]
        switch PersistentVolumes.mounts(of: task.resources, inside: inside, hasImage: rootfs.image != nil, workDirectory: configuration.workDirectory) {
        case .success(let mounts): volumes = mounts
        case .failure(let problem): return .failure(TaskEnd(state: .error, reason: .taskInvalid, message: "task \(task.taskID): \(problem.why)"))
        }
        let network: (mode: NetworkMode, ports: [CorralContainer.PortMapping])
        switch Self.network(of: task, joined: launch.executorPID != nil) {
        case .success(let chosen): network = chosen
        case .failure(let problem): return .failure(TaskEnd(state: .error, reason: .taskInvalid, message: "task \(task.taskID): \(problem.why)"))
        }
        var spec = LaunchSpec(
            id: containerID,
            name: containerID,
            rootfs: rootfs.image.map { .overlay(lowerDirectories: $0.lowerDirectories) } ?? .host,
            arguments: arguments,
            environment: environment(launch, command: command, sandbox: sandbox, inside: inside, rootfs: rootfs, configuration: configuration),
            workingDirectory: inside,
            hostname: task.container?.hostname ?? configuration.hostname,
            user: user,
            cpus: resources.cpus.flatMap { $0 > 0 ? $0 : nil },
            memoryLimitBytes: resources.memMegabytes.flatMap { $0 > 0 ? Int64($0 * 1_048_576) : nil },
            network: network.mode,
            bindMounts: [BindMount(source: sandbox, target: inside)] + volumes,
            logDirectory: sandbox
        )
        spec.portMappings = network.ports
        if rootfs.image == nil { spec.security.hiddenPaths = hiddenPaths(configuration) }
        if let mapping = configuration.userNamespace {
            guard rootfs.image != nil else {
                return .failure(
                    TaskEnd(
                        state: .error, reason: .taskInvalid,
                        message: "task \(task.taskID) has no image, and this agent runs tasks in a user namespace (corral agent "
                            + "--userns), which needs one: give the task a container image (ContainerInfo.mesos.image)"))
            }
            spec.security.userNamespace = mapping
        }
        var joined = spec
        joined.joinNamespacesOf = launch.executorPID.map { Int32(bitPattern: $0) }
        return .success(joined)
    }

    /// What a task on the host's root filesystem must not see: the agent's work directory (every
    /// sandbox, the agent's state), the container runtime directory and the image store, each
    /// covered by an empty tmpfs; its own sandbox is bound back at the same path.
    static func hiddenPaths(_ configuration: TaskRunnerConfiguration) -> [String] {
        let paths = [configuration.workDirectory, configuration.runtimeDirectory, configuration.imageRoot]
            .map { path in path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path }
            .filter { $0.hasPrefix("/") && $0 != "/" && !$0.split(separator: "/").contains("..") }
        var kept: [String] = []
        for path in paths where !paths.contains(where: { path != $0 && path.hasPrefix($0 + "/") }) && !kept.contains(path) {
            kept.append(path)
        }
        return kept
    }

    /// A reason a task's network cannot be set up.
    struct NetworkProblem: Error {
        var why: String
    }

    /// The host's network, as Mesos tasks have by default; or, for a task whose container
    /// names a network (`network_infos`), the agent's bridge with the `port_mappings` of
    /// every network published, each host port one of the task's `ports` resources (as
    /// Mesos's port-mapping isolator wants). A task in a task group shares its executor's.
    static func network(of task: TaskInfo, joined: Bool) -> Result<(mode: NetworkMode, ports: [CorralContainer.PortMapping]), NetworkProblem> {
        let infos = task.container?.networkInfos ?? []
        guard !infos.isEmpty, !joined else { return .success((.host, [])) }
        let ports = Resources(task.resources).ports
        var mappings: [CorralContainer.PortMapping] = []
        for mapping in infos.flatMap(\.portMappings) {
            let transport = CorralContainer.PortMapping.Transport(rawValue: (mapping.protocol ?? "tcp").lowercased())
            guard let transport, (1...65535).contains(mapping.hostPort), (1...65535).contains(mapping.containerPort) else {
                return .failure(
                    NetworkProblem(
                        why: "port mapping \(mapping.hostPort):\(mapping.containerPort)/\(mapping.protocol ?? "tcp") needs ports 1-65535 and tcp or udp"))
            }
            guard ports?.contains(UInt64(mapping.hostPort)) ?? false else {
                return .failure(
                    NetworkProblem(
                        why: "host port \(mapping.hostPort) of a port mapping is not among the task's ports resources (\(ports.map { "\($0)" } ?? "none")); accept it from an offer first"))
            }
            mappings.append(.init(hostPort: UInt16(mapping.hostPort), containerPort: UInt16(mapping.containerPort), transport: transport))
        }
        return .success((.bridge, mappings))
    }

    /// Shell form: `/bin/sh -c value`. Argv form: `value` run with `arguments[1...]` (argv[0]
    /// becomes the program), or without `value` the image's entrypoint with `arguments`, else its cmd.
    static func arguments(_ command: CommandInfo, image: ImageConfig?) -> [String]? {
        if command.isShell { return command.value.map { ["/bin/sh", "-c", $0] } }
        if let value = command.value, !value.isEmpty { return [value] + command.arguments.dropFirst() }
        guard let image else { return nil }
        return image.entrypoint + (command.arguments.isEmpty ? image.cmd : command.arguments)
    }

    /// The task's own variables, then Mesos's, then the agent's extra ones, then the image's, then PATH.
    static func environment(
        _ launch: TaskLaunch,
        command: CommandInfo,
        sandbox: String,
        inside: String,
        rootfs: ResolvedRootfs,
        configuration: TaskRunnerConfiguration
    ) -> [String] {
        let task = launch.task
        let own = (command.environment?.variables ?? []).compactMap { variable -> String? in
            guard variable.type != .secret, let value = variable.value else { return nil }
            return "\(variable.name)=\(value)"
        }
        // An executor's container has no task of its own (its ID is the executor's).
        let taskID = ExecutorLaunchPlan.isExecutor(launch) ? [] : ["MESOS_TASK_ID=\(task.taskID.value)"]
        let mesos = [
            "MESOS_SANDBOX=\(inside)",
            "MESOS_DIRECTORY=\(sandbox)",
            "MESOS_FRAMEWORK_ID=\(launch.key.frameworkID.value)",
            "MESOS_EXECUTOR_ID=\(task.taskID.value)",
        ] + taskID + [
            "MESOS_AGENT_ID=\(task.agentID.value)",
            "MESOS_SLAVE_ID=\(task.agentID.value)",
            "MESOS_CHECKPOINT=\(launch.frameworkInfo?.checkpoint == true ? 1 : 0)",
        ]
        let extra = configuration.taskEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let image = rootfs.image?.config.env ?? []
        var seen: Set<Substring> = []
        return (own + mesos + extra + image + LaunchSpec.defaultEnvironment).filter {
            seen.insert($0.prefix { $0 != "=" }).inserted
        }
    }
}
