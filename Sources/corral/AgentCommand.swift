import ArgumentParser
import CorralAgent
import CorralContainer
import CorralModel
import CorralSecurity
import Foundation
import Logging

/// `corral agent`: one node's agent. Registers with the leading master, runs the tasks it is
/// given in containers, and reports their states; survives master fail-overs and its own restarts.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run an agent: register with the masters and run tasks in containers.",
        discussion: """
            Settings come from --config (a TOML file, see Configs/agent.toml) with flags on top.
            Resources not given are detected from the machine. A bad setting prints what was
            wrong and exits with status 2.

            Example: corral agent --masters 127.0.0.1:5051,127.0.0.1:5052,127.0.0.1:5053 --work-dir /var/lib/corral/agent
            """
    )

    @Option(help: "The masters as HOST:PORT,… (their HTTP addresses); any of them will do.") var masters: String?
    @Option(help: "Where the agent keeps its checkpoint and sandboxes.") var workDir: String?
    @Option(help: "Where the agent keeps its containers' state; it mounts a tmpfs there unless it is on one (default: <work-dir>/runtime).")
    var runtimeDir: String?
    @Option(help: "What to offer, e.g. \"cpus:4;mem:8192;disk:20000;ports:[31000-32000]\" (default: detected).")
    var resources: String?
    @Option(help: "Resources to offer as revocable (oversubscribed) beyond --resources, to frameworks with REVOCABLE_RESOURCES, e.g. \"cpus:2\".")
    var revocableResources: String?
    @Option(help: "How often to measure the persistent volumes tasks use, failing a task whose volume outgrew its size (seconds; 0 never; default 15).")
    var diskWatchIntervalSeconds: Double?
    @Option(help: "Attributes, e.g. \"rack:r1;zone:a\".") var attributes: String?
    @Option(help: "The hostname to register with (default: this machine's).") var hostname: String?
    @Option(help: "host:port for the agent's HTTP API (default 0.0.0.0:5051; port 0 picks a free one).")
    var httpListen: String?
    @Option(help: "A TOML file with these settings; flags override it.") var config: String?
    @Option(help: "The image store tasks' images come from (default: $CORRAL_ROOT or /var/lib/corral).")
    var imageRoot: String?
    @Option(
        help: "HOST:PORT of the registry to pull task images from when their names name none (names that do are pulled from theirs; credentials from $CORRAL_REGISTRY_USER / $CORRAL_REGISTRY_PASSWORD)."
    )
    var registry: String?
    @Flag(help: "Pull task images over plain HTTP instead of HTTPS.") var registryInsecure = false
    @Option(help: "A PEM file of CAs to trust for the registries' HTTPS instead of the system's.") var registryCa: String?
    @Option(
        help: ArgumentHelp(
            "Run every task in a user namespace: root in a task is not root on the host. auto: root's range in /etc/subuid and /etc/subgid; or HOSTUID[:HOSTGID[:SIZE]]. Tasks then need an image.",
            valueName: "auto|HOSTUID[:HOSTGID[:SIZE]]"))
    var userns: String?
    @Option(help: "PEM certificate chain: serve HTTPS and reach the masters over HTTPS (corral certs issue makes one).")
    var tlsCert: String?
    @Option(help: "The private key of --tls-cert.") var tlsKey: String?
    @Option(help: "The CA certificate to trust for the masters' HTTPS (default: the system's CAs).") var tlsCa: String?
    @Option(help: "The principal the agent authenticates to the masters as (with --secret-file).") var principal: String?
    @Option(help: "A file holding the secret of --principal.") var secretFile: String?
    @Option(help: "A file holding a bearer token (JWT) to authenticate to the masters with.") var tokenFile: String?
    @Option(help: "A credentials file: HTTP Basic is required on this agent's own API.") var credentials: String?
    @Option(help: "A file holding the HS256 secret of bearer tokens this agent's API accepts.") var jwtHmacSecretFile: String?
    @Option(help: "A PEM RSA public key RS256 bearer tokens to this agent's API are verified with.") var jwtRsaPublicKey: String?
    @Option(help: "A Mesos-style ACLs file for this agent's API (access_sandboxes, view_agents, get_endpoints).") var acls: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"
    @Flag(help: .hidden) var exitWithParent = false
    /// The pid of the process that started this one, for `--exit-with-parent`: a parent that died
    /// before the watch began is noticed too.
    @Option(help: .hidden) var parentPid: Int32?
    @OptionGroup(title: "Request limits") var limitOptions: AgentLimitOptions

    func run() async throws {
        let settings = AgentSettings(
            masters: masters, workDirectory: workDir, runtimeDirectory: runtimeDir, resources: resources,
            revocableResources: revocableResources, attributes: attributes, hostname: hostname, httpListen: httpListen,
            diskWatchIntervalSeconds: diskWatchIntervalSeconds, tlsCertificate: tlsCert, tlsKey: tlsKey, tlsCA: tlsCa)
        var agentConfig: AgentConfig
        let tls: TLSIdentity?
        let authenticator: HTTPAuthenticator?
        let agentACLs: ACLs?
        let limits: AgentLimits
        do {
            agentConfig = try AgentConfig.resolve(flags: settings, configFile: config)
            tls = try agentConfig.tls.map { try TLSIdentity(files: $0) }
            agentConfig.credentials = try ClientCredentials.from(principal: principal, secretFile: secretFile, tokenFile: tokenFile)
            agentConfig.authentication = HTTPAuthenticator.Settings(
                credentials: credentials, jwtHMACSecretFile: jwtHmacSecretFile, jwtRSAPublicKey: jwtRsaPublicKey)
            agentConfig.aclsFile = acls
            authenticator = try HTTPAuthenticator(settings: agentConfig.authentication)
            agentACLs = try acls.map { try ACLs.load(path: $0) }
            limits = try limitOptions.limits()
        } catch {
            FileHandle.standardError.write(Data("corral agent: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let registry, (try? ImageReference(parsing: "\(registry)/probe")) == nil {
            FileHandle.standardError.write(Data("corral agent: --registry \(registry) is not HOST[:PORT] (for example 127.0.0.1:5000)\n".utf8))
            throw ExitCode(2)
        }
        var logger = Logger(label: "corral.agent")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        if exitWithParent { ParentWatch.exitWhenOrphaned(expectedParent: parentPid) }

        let work = agentConfig.workDirectory
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let checkpoint = try AgentCheckpoint(
            workDir: work, owner: WorkDirOwner(hostname: agentConfig.hostname, agentID: nil, cluster: nil))
        let runtime = agentConfig.runtimeDirectory
        switch try RuntimeDirectory.prepare(runtime) {
        case .tmpfs: logger.info("runtime directory \(runtime) is on a tmpfs")
        case .mounted: logger.info("mounted a tmpfs on the runtime directory \(runtime)")
        case .plain(let reason):
            logger.warning("the runtime directory \(runtime) stays on its filesystem (slower launches): cannot \(reason)")
        }
        var runnerConfiguration = TaskRunnerConfiguration(
            workDirectory: work, runtimeDirectory: runtime, imageRoot: ContainerStore.resolveRoot(option: imageRoot),
            corralExecutable: try ContainerRun.ownExecutable(), hostname: agentConfig.hostname)
        let environment = ProcessInfo.processInfo.environment
        runnerConfiguration.imagePulls = ImagePullSettings(
            defaultRegistry: registry, insecure: registryInsecure, caCertificate: registryCa,
            credentials: environment["CORRAL_REGISTRY_USER"].flatMap { user in
                user.isEmpty ? nil : RegistryCredentials(user: user, password: environment["CORRAL_REGISTRY_PASSWORD"] ?? "")
            })
        if let userns { runnerConfiguration.userNamespace = try UserNamespaceOption.parse(userns) }
        let runner = try TaskRunner(configuration: runnerConfiguration)
        var executorConfiguration = runnerConfiguration
        executorConfiguration.workDirectory = work + "/executors"
        executorConfiguration.runtimeDirectory = RuntimeDirectory.executors(in: runtime)
        let executorRunner = try TaskRunner(configuration: executorConfiguration)
        let agent = AgentProcess(
            config: agentConfig, info: agentConfig.agentInfo(), runner: runner, executorRunner: executorRunner,
            checkpoint: checkpoint, seed: UInt64.random(in: 1...UInt64.max), logger: logger, tls: tls)
        // The HTTP API starts first: the agent registers with the port it really listens on.
        var http = AgentHTTP(
            view: { await agent.view() }, files: agent.files, listen: agentConfig.httpListen, logger: logger,
            executors: agent, metrics: agent.metrics, limits: limits)
        http.tls = tls
        http.authenticator = authenticator
        http.acls = agentACLs
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let application = try http.application { port in
            portSink.yield(port)
            portSink.finish()
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await application.runService() }
                var bound: Int?
                for await port in ports { bound = port }
                guard let port = bound else { throw AgentProcessError("the HTTP API did not start on \(agentConfig.httpListen)") }
                await agent.listening(on: ListenAddress(host: agentConfig.httpListen.host, port: port))
                let line = "agent \(agentConfig.hostname) listening: \(tls == nil ? "http" : "https") \(agentConfig.httpListen.host):\(port); work dir \(work); "
                    + "masters \(agentConfig.masters.map(\.description).joined(separator: ","))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
                group.addTask { try await agent.run() }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            FileHandle.standardError.write(Data("corral agent: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
