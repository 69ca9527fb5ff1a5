import ArgumentParser
import CorralContainer
import Foundation

/// `corral container run [options] -- CMD…`.
struct ContainerRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command in a new container.",
        discussion: "Example: corral container run --name web --image busybox --mem 64 --cpus 0.5 -d -- httpd -f -p 8080"
    )

    @OptionGroup var root: StateRootOptions
    @Option(help: "Container name (unique on this node).") var name: String?
    @Option(help: "Image reference; without it the task runs on the host root filesystem.") var image: String?
    @Option(help: "CPU cores (cpu.shares and CFS quota).") var cpus: Double?
    @Option(name: .customLong("mem"), help: "Memory limit in MiB.") var memoryMegabytes: Int?
    @Option(name: .customLong("pids"), help: "Maximum number of processes.") var pidsLimit: Int?
    @Option(help: "Network: bridge (an address on the node's corral0 bridge, with outbound NAT), none (loopback only) or host.")
    var net: String = "bridge"
    @Option(
        name: .customShort("p"),
        help: "Publish a port: HOSTPORT:CONTAINERPORT[/tcp|udp] (repeatable; with --net bridge).")
    var publish: [String] = []
    @Option(name: .customLong("env"), help: "Environment variable K=V (repeatable).") var environment:
        [String] = []
    @Option(help: "Working directory inside the container (default: the image's, else /).") var workdir: String?
    @Option(help: "UID[:GID] to run as (numeric).") var user: String?
    @Flag(name: .customLong("read-only"), help: "Mount the root filesystem read-only (as docker run --read-only).")
    var readOnly = false
    @Option(
        name: .customLong("security-opt"),
        help: "seccomp=unconfined runs without Docker's default seccomp profile (seccomp=default keeps it).")
    var securityOptions: [String] = []
    @Option(
        help: """
            Run in a user namespace: HOSTUID[:HOSTGID[:SIZE]] (root inside is HOSTUID outside; SIZE \
            defaults to 65536), or 'auto' for root's first range in /etc/subuid and /etc/subgid. Needs --image.
            """)
    var userns: String?
    @Flag(name: .customShort("d"), help: "Run detached; print the id.") var detach = false
    @Argument(parsing: .postTerminator, help: "The command and its arguments (default: the image's entrypoint and cmd).")
    var command: [String] = []

    func run() throws {
        let store = root.store
        store.sweep()
        let record = try makeRecord(store: store)
        try store.save(record)
        if detach {
            try startDetached(record)
            print(record.id)
            return
        }
        let exit = try ForegroundRun(store: store, record: record).run()
        if exit.exitCode != 0 { throw ExitCode(exit.exitCode) }
    }

    /// The record of the new container, with its rootfs resolved.
    private func makeRecord(store: ContainerStore) throws -> ContainerRecord {
        guard let network = NetworkMode(rawValue: net) else {
            throw ValidationError("--net must be bridge, none or host")
        }
        let ports = try publish.map { text in
            do { return try PortMapping(parsing: text) } catch { throw ValidationError("-p \(text): \(error)") }
        }
        guard ports.isEmpty || network == .bridge else {
            throw ValidationError("-p publishes ports on the bridge network; drop --net \(net) or -p")
        }
        let id = (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let chosenName = name ?? "c-\(id.prefix(8))"
        if try store.list().contains(where: { $0.name == chosenName }) {
            throw ValidationError("a container named \(chosenName) exists; remove it first")
        }
        var rootfs = RootFilesystem.host
        var imageConfig: ImageConfig?
        if let image {
            let source = try makeLayerSource(root: store.root)
            rootfs = .overlay(lowerDirectories: try source.lowerDirectories(forImage: image))
            imageConfig = try (source as? ImageOrDirectory)?.config(forImage: image)
        }
        let arguments = command.isEmpty ? imageConfig?.defaultArguments ?? [] : command
        guard !arguments.isEmpty else {
            throw ValidationError("give a command after --, or an image that has a default command")
        }
        // Precedence for the environment: --env, then the image's, then the defaults.
        let explicit = environment + (imageConfig?.env ?? [])
        var seen: Set<Substring> = []
        let merged = (explicit + LaunchSpec.defaultEnvironment).filter { seen.insert($0.prefix { $0 != "=" }).inserted }
        let directory = workdir ?? imageConfig.map { $0.workingDir.isEmpty ? "/" : $0.workingDir } ?? "/"
        let spec = LaunchSpec(
            id: id,
            name: chosenName,
            rootfs: rootfs,
            arguments: arguments,
            environment: merged,
            workingDirectory: directory,
            cpus: cpus,
            memoryLimitBytes: memoryMegabytes.map { Int64($0) << 20 },
            pidsLimit: pidsLimit,
            network: network
        )
        var checked = spec
        checked.portMappings = ports
        checked.security = try security()
        if let user {
            let parts = user.split(separator: ":", omittingEmptySubsequences: false).map { UInt32($0) }
            guard let uid = parts.first ?? nil, parts.count <= 2, parts.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--user must be UID or UID:GID (numeric)")
            }
            checked.user = UserSpec(uid: uid, gid: (parts.count == 2 ? parts[1] : nil) ?? uid)
        }
        try checked.validate()
        return ContainerRecord(spec: checked)
    }

    /// The security options from --read-only and --security-opt.
    private func security() throws -> SecurityOptions {
        var options = SecurityOptions(readOnlyRootfs: readOnly)
        if let userns { options.userNamespace = try UserNamespaceOption.parse(userns) }
        for option in securityOptions {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "seccomp", let profile = SeccompProfile(rawValue: parts[1]) else {
                throw ValidationError("--security-opt \(option): corral knows seccomp=unconfined and seccomp=default")
            }
            options.seccomp = profile
        }
        return options
    }

    /// Re-executes `corral container supervise ID` detached and waits for its word on the start.
    private func startDetached(_ record: ContainerRecord) throws {
        try DetachedSupervisor.start(record, root: root.path, executable: try ContainerRun.ownExecutable())
    }

    /// This executable's path (/proc/self/exe).
    static func ownExecutable() throws -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else {
            throw ContainerError(
                .supervise,
                stage: "readlink(/proc/self/exe)",
                cause: String(cString: strerror(errno))
            )
        }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
