import ArgumentParser
import CorralModel
import Foundation
import Synchronization

/// `corral run`: runs a command as tasks through a framework of its own, prints their
/// states and output, and exits with the task's exit code (like `mesos-execute` and `docker run`).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command on the cluster and print its output; exit with its exit code.",
        discussion: """
            One argument after -- is a shell command line; several are quoted and joined.
            Task states go to stderr, the tasks' output to stdout and stderr. With --count N
            the exit code is the first non-zero one. -d launches, prints the task IDs and
            returns; the tasks keep running (see corral ps, corral logs, corral stop).
            Ctrl-C kills the tasks.

            Examples:
              corral run -- echo hi
              corral run --image busybox --mem 64 --count 3 -- 'echo $MESOS_TASK_ID'
              corral run -d --name web -- 'while true; do date; sleep 1; done'
              corral run -d --image busybox -p 31080:80 -- 'httpd -f -p 80'

            -p HOSTPORT:CONTAINERPORT[/tcp|udp] runs the task on the agent's bridge (corral0)
            and publishes the port on the agent: the task takes HOSTPORT from the offer's
            ports resources, so it goes to an agent that offers that port.
            """
    )

    /// How `corral run` names its frameworks (`corral stop` tears a finished detached one down).
    static let frameworkNamePrefix = "corral run "
    /// The label that carries the command line, for `corral ps`.
    static let commandLabel = "corral.command"

    @OptionGroup var cluster: ClusterOptions
    @Option(help: "A container image from the agents' image store (e.g. busybox); default: none (runs on the agent's host).")
    var image: String?
    @Option(help: "CPUs per task.") var cpus: Double = 0.1
    @Option(help: "Memory per task in MB.") var mem: Double = 32
    @Option(help: "How many tasks to run.") var count: Int = 1
    @Option(help: "Task ID (with --count: the prefix of <name>-<n>); default run-<random>.") var name: String?
    @Flag(name: .customShort("d"), help: "Detach: launch, print the task IDs and return.") var detach = false
    @Option(help: "Give up after this many seconds: kill the tasks and exit 124 (0: wait for ever).") var timeout: Double = 0
    @Option(
        name: [.customShort("p"), .customLong("publish")],
        help: "Publish a container port on the agent: HOSTPORT:CONTAINERPORT[/tcp|udp] (repeatable).")
    var publish: [String] = []
    @Argument(parsing: .postTerminator, help: "The command, after --.") var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command after --, e.g. corral run -- echo hi") }
        guard count >= 1 else { throw ValidationError("--count must be 1 or more") }
        guard cpus > 0, mem > 0 else { throw ValidationError("--cpus and --mem must be positive") }
        guard timeout >= 0 else { throw ValidationError("--timeout must be 0 (none) or a number of seconds") }
        _ = try Self.portMappings(publish)
        if let name, name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw ValidationError("--name \"\(name)\" may not be empty or hold spaces or slashes")
        }
    }

    func run() async throws {
        let connection = try cluster.connect()
        // Fail fast, in plain words, when no master answers or none leads for a while (the SDK
        // would retry for ever); an election in progress is waited for.
        try await blocking {
            try connection.awaitLeader(seconds: 10) { FileHandle.standardError.write(Data("waiting for a leader to be elected…\n".utf8)) }
        }
        let base = name ?? "run-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let ids = count == 1 ? [TaskID(base)] : (0..<count).map { TaskID("\(base)-\($0)") }
        let line = Self.shellLine(command)
        let (image, cpus, mem) = (image, cpus, mem)
        let mappings = try Self.portMappings(publish)
        let framework = try RunFramework(
            masters: connection.masters, tls: connection.client.tls?.files, name: Self.frameworkNamePrefix + base,
            failoverTimeoutSeconds: detach ? 7 * 86400 : 60, taskIDs: ids, credentials: connection.credentials
        ) { id, agent in
            var task = TaskInfo(
                name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", Scalar(cpus)), .scalar("mem", Scalar(mem))],
                command: CommandInfo(value: line))
            task.labels = [Self.commandLabel: line]
            if let image { task.container = ContainerInfo(type: .mesos, mesos: ContainerInfo.MesosInfo(image: .docker(image))) }
            if !mappings.isEmpty {
                let hostPorts = Set(mappings.map { UInt64($0.hostPort) }).sorted()
                task.resources.append(.ranges("ports", Ranges(hostPorts.map { ValueRange($0...$0) })))
                var container = task.container ?? ContainerInfo(type: .mesos)
                container.networkInfos = [NetworkInfo(portMappings: mappings)]
                task.container = container
            }
            return task
        }
        let interrupted = Self.watchInterrupt()
        let outcome = await withTaskGroup(of: Int32?.self) { group -> Int32 in
            group.addTask {
                await framework.run()
                return nil
            }
            group.addTask {
                let watch = RunWatch(
                    connection: connection, ids: ids, detach: detach, quiet: cluster.json, timeout: timeout > 0 ? .seconds(timeout) : nil)
                return await watch.run(framework, interrupted: { interrupted.isRaised })
            }
            var code: Int32 = 1
            while let next = await group.next() {
                if let next {
                    code = next
                    break
                }
            }
            await framework.stop(teardown: !detach || code != 0)
            group.cancelAll()
            return code
        }
        if cluster.json {
            let statuses = await framework.statuses
            say(JSONValue.array(ids.map { id in
                let status = statuses[id]
                return ["id": .string(id.value), "state": status.map { .string($0.state.rawValue) } ?? .null,
                        "exit_code": status.flatMap(RunWatch.exitCode).map { .number(Double($0)) } ?? .null]
            }).pretty)
        }
        if outcome != 0 { throw ExitCode(outcome) }
    }

    /// One argument as it is (a shell line); several quoted for `sh -c` and joined.
    static func shellLine(_ arguments: [String]) -> String {
        guard arguments.count > 1 else { return arguments.first ?? "" }
        let plain = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./=:,+@%"))
        return arguments.map { argument in
            !argument.isEmpty && argument.unicodeScalars.allSatisfy(plain.contains)
                ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// SIGINT and SIGTERM set the flag instead of ending the process, so the tasks are killed first.
    static func watchInterrupt() -> InterruptFlag { InterruptFlag(signals: [SIGINT, SIGTERM]) }
}

/// Whether Ctrl-C (or SIGTERM) came: the signals are caught and only raise this flag.
final class InterruptFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    // nonisolated(unsafe): written once in init, then only kept alive (never read).
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    init(signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.raised.store(true, ordering: .relaxed) }
            source.resume()
            sources.append(source)
        }
    }

    var isRaised: Bool { raised.load(ordering: .relaxed) }
}

extension RunCommand {
    /// The `-p` options as port mappings: `HOSTPORT:CONTAINERPORT[/tcp|udp]`, ports 1-65535,
    /// each host port and protocol once.
    static func portMappings(_ published: [String]) throws -> [NetworkInfo.PortMapping] {
        var seen = Set<String>()
        return try published.map { text in
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            let transport = parts.count == 2 ? parts[1].lowercased() : "tcp"
            let ports = parts[0].split(separator: ":", omittingEmptySubsequences: false).map { UInt32($0) }
            guard parts.count <= 2, ["tcp", "udp"].contains(transport), ports.count == 2,
                let host = ports[0], let inside = ports[1], (1...65535).contains(host), (1...65535).contains(inside)
            else {
                throw ValidationError("-p \(text): give HOSTPORT:CONTAINERPORT[/tcp|udp] with ports 1-65535, e.g. -p 31080:80")
            }
            guard seen.insert("\(host)/\(transport)").inserted else {
                throw ValidationError("-p \(text): host port \(host)/\(transport) is published twice")
            }
            return NetworkInfo.PortMapping(hostPort: host, containerPort: inside, protocol: transport)
        }
    }
}
