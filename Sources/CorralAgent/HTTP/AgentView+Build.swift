import CorralModel

// MARK: - Building the view from the state machine

extension AgentView {
    static func task(_ task: AgentTask, pending: [PendingUpdate], directory: String) -> Task {
        var statuses = pending.sorted { $0.sequence < $1.sequence }.map(\.status)
        let pendingStatuses = statuses.count
        if !statuses.contains(where: { $0.uuid != nil && $0.uuid == task.status.uuid }) {
            statuses.append(task.status)
        }
        return Task(
            key: task.key, name: task.launch?.task.name ?? task.key.taskID.value, state: task.state, statuses: statuses,
            pendingStatuses: pendingStatuses,
            executorID: task.executorID, directory: directory, resources: task.launch?.task.resources ?? [],
            launch: task.launch, containerID: task.containerID, executorPID: task.executorPID)
    }

    static func frameworks(_ tasks: [Task]) -> [Framework] {
        let byFramework = Dictionary(grouping: tasks, by: \.key.frameworkID)
        return byFramework.keys.sorted().map { id in
            let frameworkTasks = byFramework[id] ?? []
            var info = frameworkTasks.lazy.compactMap(\.launch?.frameworkInfo).first ?? FrameworkInfo(user: "", name: "")
            info.id = id
            let byExecutor = Dictionary(grouping: frameworkTasks, by: \.executorID)
            let executors = byExecutor.keys.sorted { $0.value < $1.value }.compactMap { executorID in
                executor(id, executorID, byExecutor[executorID] ?? [])
            }
            return Framework(id: id, info: info, executors: executors)
        }
    }

    static func executor(_ framework: FrameworkID, _ id: ExecutorID, _ tasks: [Task]) -> Executor? {
        guard let first = tasks.first else { return nil }
        let explicit = tasks.lazy.compactMap { $0.launch?.executor ?? $0.launch?.task.executor }.first
        var info = explicit ?? commandExecutorInfo(first)
        info.frameworkID = framework
        let live = tasks.filter(\.isLive)
        var resources = Resources(live.flatMap(\.resources))
        if !live.isEmpty, let explicit { resources += Resources(explicit.resources) }
        return Executor(
            frameworkID: framework, info: info, isCommandExecutor: explicit == nil, directory: first.directory,
            containerID: tasks.lazy.compactMap(\.containerID).first, executorPID: tasks.lazy.compactMap(\.executorPID).first,
            resources: resources.flattened, tasks: live, terminatedTasks: tasks.filter { !$0.isLive && !$0.isCompleted },
            completedTasks: tasks.filter(\.isCompleted))
    }

    /// The `ExecutorInfo` Mesos makes up for a command task's executor: named after the task
    /// and its command.
    static func commandExecutorInfo(_ task: Task) -> ExecutorInfo {
        ExecutorInfo(executorID: task.executorID, name: "Command Executor (Task: \(task.key.taskID.value)) (Command: \(commandText(task)))")
    }

    private static func commandText(_ task: Task) -> String {
        guard let command = task.launch?.task.command else { return "NO COMMAND" }
        func cut(_ text: String) -> String { text.count > 15 ? String(text.prefix(12)) + "..." : text }
        if command.isShell { return "sh -c '\(cut(command.value ?? ""))'" }
        let argv = ([command.value].compactMap { $0 } + command.arguments).joined(separator: ",")
        return "[\(cut(argv))]"
    }

    /// The agent's settings under the TOML file's names.
    static func flags(_ config: AgentConfig) -> [Flag] {
        let timing = config.timing
        return [
            Flag(name: "masters", value: config.masters.map(\.description).joined(separator: ",")),
            Flag(name: "work_dir", value: config.workDirectory),
            Flag(name: "resources", value: resourceText(config.resources)),
            Flag(name: "attributes", value: attributeText(config.attributes)),
            Flag(name: "hostname", value: config.hostname),
            Flag(name: "http_listen", value: config.httpListen.description),
            Flag(name: "timing.connect_timeout_ms", value: "\(timing.connectTimeoutMilliseconds)"),
            Flag(name: "timing.request_timeout_ms", value: "\(timing.requestTimeoutMilliseconds)"),
            Flag(name: "timing.master_silence_seconds", value: "\(timing.masterSilenceSeconds)"),
            Flag(name: "timing.registration_backoff_ms", value: "\(timing.registrationBackoffMilliseconds)"),
            Flag(name: "timing.registration_backoff_max_ms", value: "\(timing.registrationBackoffMaximumMilliseconds)"),
        ]
    }

    /// `cpus:4;mem:8192;ports:[31000-32000]`, as `--resources` takes it.
    static func resourceText(_ resources: [Resource]) -> String {
        resources.map { resource in
            let name = resource.role.map { $0 == "*" ? resource.name : "\(resource.name)(\($0))" } ?? resource.name
            return "\(name):"
                + valueText(type: resource.type, scalar: resource.scalar, ranges: resource.ranges, set: resource.set, text: nil)
        }.joined(separator: ";")
    }

    /// `rack:r1;zone:a`, as `--attributes` takes it.
    static func attributeText(_ attributes: [Attribute]) -> String {
        attributes.map { attribute in
            "\(attribute.name):"
                + valueText(
                    type: attribute.type, scalar: attribute.scalar, ranges: attribute.ranges, set: attribute.set,
                    text: attribute.text?.value)
        }.joined(separator: ";")
    }

    private static func valueText(type: Value.ValueType, scalar: Scalar?, ranges: Ranges?, set: Value.ValueSet?, text: String?) -> String {
        switch MesosV0JSON.value(type: type, scalar: scalar, ranges: ranges, set: set, text: text) {
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? "\(Int64(number))" : "\(number)"
        case .string(let string): string
        default: ""
        }
    }
}
