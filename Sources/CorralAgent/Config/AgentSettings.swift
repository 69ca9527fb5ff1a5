import CorralContainer
import CorralModel
import CorralScheduler
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The agent's settings as given — by flags or by a TOML file — before parsing, defaults and
/// detection. Every field is optional, so flags can be laid over a file
/// (`file.overriding(with: flags)`) and then turned into an `AgentConfig`.
public struct AgentSettings: Sendable, Hashable {
    /// `--masters` / `masters`: `HOST:PORT,HOST:PORT`.
    public var masters: String?
    /// `--work-dir` / `work_dir`.
    public var workDirectory: String?
    /// `--runtime-dir` / `runtime_dir`.
    public var runtimeDirectory: String?
    /// `--resources` / `resources`: Mesos's text form, or a JSON array when it starts with `[`.
    public var resources: String?
    /// `--revocable-resources` / `revocable_resources`: resources the agent offers beyond
    /// `resources` as revocable (oversubscribed; a fixed estimate, as Mesos's
    /// `FixedResourceEstimator`), in the same forms.
    public var revocableResources: String?
    /// `--attributes` / `attributes`: `name:value;…`.
    public var attributes: String?
    /// `--hostname` / `hostname`.
    public var hostname: String?
    /// `--http-listen` / `http_listen`.
    public var httpListen: String?
    /// `[timing]`, each in the unit its name says.
    public var connectTimeoutMilliseconds: Int?
    public var requestTimeoutMilliseconds: Int?
    public var masterSilenceSeconds: Double?
    public var registrationBackoffMilliseconds: Int?
    public var registrationBackoffMaximumMilliseconds: Int?
    public var diskWatchIntervalSeconds: Double?
    /// `--tls-cert` / `tls.certificate`: the agent's certificate chain (PEM); with `tlsKey`
    /// the agent serves HTTPS and reaches the masters over HTTPS.
    public var tlsCertificate: String?
    /// `--tls-key` / `tls.key`: the private key of `tlsCertificate`.
    public var tlsKey: String?
    /// `--tls-ca` / `tls.ca`: the CA certificate the agent trusts for the masters (default: the system's CAs).
    public var tlsCA: String?

    /// Makes settings; leave out what was not given.
    public init(
        masters: String? = nil,
        workDirectory: String? = nil,
        runtimeDirectory: String? = nil,
        resources: String? = nil,
        revocableResources: String? = nil,
        attributes: String? = nil,
        hostname: String? = nil,
        httpListen: String? = nil,
        connectTimeoutMilliseconds: Int? = nil,
        requestTimeoutMilliseconds: Int? = nil,
        masterSilenceSeconds: Double? = nil,
        registrationBackoffMilliseconds: Int? = nil,
        registrationBackoffMaximumMilliseconds: Int? = nil,
        diskWatchIntervalSeconds: Double? = nil,
        tlsCertificate: String? = nil,
        tlsKey: String? = nil,
        tlsCA: String? = nil
    ) {
        self.masters = masters
        self.workDirectory = workDirectory
        self.runtimeDirectory = runtimeDirectory
        self.resources = resources
        self.revocableResources = revocableResources
        self.attributes = attributes
        self.hostname = hostname
        self.httpListen = httpListen
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.masterSilenceSeconds = masterSilenceSeconds
        self.registrationBackoffMilliseconds = registrationBackoffMilliseconds
        self.registrationBackoffMaximumMilliseconds = registrationBackoffMaximumMilliseconds
        self.diskWatchIntervalSeconds = diskWatchIntervalSeconds
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
        self.tlsCA = tlsCA
    }

    /// These settings with every field `flags` gives replaced by the flag's value.
    public func overriding(with flags: AgentSettings) -> AgentSettings {
        AgentSettings(
            masters: flags.masters ?? masters,
            workDirectory: flags.workDirectory ?? workDirectory,
            runtimeDirectory: flags.runtimeDirectory ?? runtimeDirectory,
            resources: flags.resources ?? resources,
            revocableResources: flags.revocableResources ?? revocableResources,
            attributes: flags.attributes ?? attributes,
            hostname: flags.hostname ?? hostname,
            httpListen: flags.httpListen ?? httpListen,
            connectTimeoutMilliseconds: flags.connectTimeoutMilliseconds ?? connectTimeoutMilliseconds,
            requestTimeoutMilliseconds: flags.requestTimeoutMilliseconds ?? requestTimeoutMilliseconds,
            masterSilenceSeconds: flags.masterSilenceSeconds ?? masterSilenceSeconds,
            registrationBackoffMilliseconds: flags.registrationBackoffMilliseconds ?? registrationBackoffMilliseconds,
            registrationBackoffMaximumMilliseconds: flags.registrationBackoffMaximumMilliseconds
                ?? registrationBackoffMaximumMilliseconds,
            diskWatchIntervalSeconds: flags.diskWatchIntervalSeconds ?? diskWatchIntervalSeconds,
            tlsCertificate: flags.tlsCertificate ?? tlsCertificate,
            tlsKey: flags.tlsKey ?? tlsKey,
            tlsCA: flags.tlsCA ?? tlsCA)
    }
}

extension AgentConfig {
    /// What `corral agent` runs with: the config file (if any) under the flags, parsed,
    /// completed from the machine and validated. Every error names its field.
    public static func resolve(flags: AgentSettings, configFile: String?) throws(AgentConfigError) -> AgentConfig {
        let file = try configFile.map { path throws(AgentConfigError) in try AgentSettings.load(path: path) } ?? AgentSettings()
        let config = try AgentConfig(settings: file.overriding(with: flags))
        try config.validate()
        return config
    }

    /// Parses settings. Resources left out are read from this machine (`machine`, when given,
    /// stands in for it); a relative work directory is taken from the current directory.
    /// Does not `validate()`.
    public init(settings: AgentSettings, machine: MachineResources? = nil) throws(AgentConfigError) {
        guard let mastersText = settings.masters, !Substring(mastersText).trimmed.isEmpty else {
            throw AgentConfigError(field: "masters", "is required; give --masters HOST:PORT,HOST:PORT (any masters of the quorum)")
        }
        let (mastersWithoutScheme, scheme) = try Self.splitSchemes(mastersText)
        let masters = try Self.parseMasters(mastersWithoutScheme)
        let tls = try Self.tlsFiles(settings, mastersScheme: scheme)
        guard let work = settings.workDirectory, !Substring(work).trimmed.isEmpty else {
            throw AgentConfigError(field: "work_dir", "is required; give --work-dir DIR, where the agent keeps its state")
        }
        let workDirectory = URL(fileURLWithPath: String(Substring(work).trimmed)).standardizedFileURL.path
        var runtimeDirectory = RuntimeDirectory.defaultPath(workDirectory: workDirectory)
        if let runtime = settings.runtimeDirectory {
            guard !Substring(runtime).trimmed.isEmpty else {
                throw AgentConfigError(field: "runtime_dir", "is empty; give a directory, or leave it out for <work_dir>/runtime")
            }
            runtimeDirectory = URL(fileURLWithPath: String(Substring(runtime).trimmed)).standardizedFileURL.path
        }
        let given = try settings.resources.map { text throws(AgentConfigError) in try ResourceText.parse(text) } ?? []
        let attributes = try settings.attributes.map { text throws(AgentConfigError) in try AttributeText.parse(text) } ?? []
        var listen = ListenAddress.default
        if let text = settings.httpListen {
            guard let parsed = ListenAddress(text) else {
                throw AgentConfigError(field: "http_listen", "\"\(text)\" is not host:port (port 0...65535, e.g. 0.0.0.0:5051)")
            }
            listen = parsed
        }
        let names = Set(given.map(\.name))
        var completed = given
        if !["cpus", "mem", "disk", "ports"].allSatisfy(names.contains) {
            let detected: MachineResources
            if let machine { detected = machine } else { detected = try MachineResources.detect(workDirectory: workDirectory) }
            completed = detected.completing(given)
        }
        if let text = settings.revocableResources {
            var revocable = try ResourceText.parse(text)
            for index in revocable.indices {
                guard revocable[index].type == .scalar, revocable[index].isUnreserved else {
                    throw AgentConfigError(
                        field: "revocable_resources", "\(revocable[index].name) must be an unreserved scalar (e.g. \"cpus:2;mem:1024\")")
                }
                revocable[index].revocable = Resource.Marker()
            }
            completed += revocable
        }
        var timing = Timing()
        if let value = settings.connectTimeoutMilliseconds { timing.connectTimeoutMilliseconds = value }
        if let value = settings.requestTimeoutMilliseconds { timing.requestTimeoutMilliseconds = value }
        if let value = settings.masterSilenceSeconds { timing.masterSilenceSeconds = value }
        if let value = settings.registrationBackoffMilliseconds { timing.registrationBackoffMilliseconds = value }
        if let value = settings.registrationBackoffMaximumMilliseconds {
            timing.registrationBackoffMaximumMilliseconds = value
        }
        if let value = settings.diskWatchIntervalSeconds { timing.diskWatchIntervalSeconds = value }
        self.init(
            masters: masters, workDirectory: workDirectory, runtimeDirectory: runtimeDirectory,
            resources: Array(Resources(completed)), attributes: attributes,
            hostname: settings.hostname.map { String(Substring($0).trimmed) } ?? Self.machineHostname(),
            httpListen: listen, timing: timing)
        self.tls = tls
    }

    /// `HOST:PORT,HOST:PORT` (a host alone means port 5050, as for mesos-agent).
    static func parseMasters(_ text: String) throws(AgentConfigError) -> [MasterAddress] {
        var masters: [MasterAddress] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = item.trimmed
            guard let address = MasterAddress(String(trimmed)) else {
                throw AgentConfigError(
                    field: "masters", "\"\(trimmed)\" in \"\(text)\" is not HOST:PORT (port 1...65535)")
            }
            if !masters.contains(address) { masters.append(address) }
        }
        return masters
    }

    /// This machine's host name (`gethostname`), or `localhost` if it has none.
    static func machineHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
