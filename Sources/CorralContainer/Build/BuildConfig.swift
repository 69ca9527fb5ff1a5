/// How the config-only instructions change an image's config: pure, so the parser tests cover it.
enum BuildConfig {
    /// `config` after `command` (`ENV`, `LABEL`, `EXPOSE`, `USER`, `WORKDIR`, `CMD`, `ENTRYPOINT`);
    /// other commands leave it as it is. `cmdSet` says whether this Dockerfile already set `CMD`.
    static func apply(_ command: DockerfileCommand, to config: ImageConfig, cmdSet: Bool = false)
        -> ImageConfig
    {
        var config = config
        switch command {
        case .env(let pairs):
            for pair in pairs {
                config.env.removeAll { $0.hasPrefix(pair.key + "=") || $0 == pair.key }
                config.env.append(pair.key + "=" + pair.value)
            }
        case .label(let pairs):
            var labels = config.labels ?? [:]
            for pair in pairs { labels[pair.key] = pair.value }
            config.labels = labels
        case .expose(let ports):
            var exposed = config.exposedPorts ?? [:]
            for port in ports { exposed[port] = EmptyObject() }
            config.exposedPorts = exposed
        case .user(let user):
            config.user = user
        case .workdir(let directory):
            config.workingDir = absolute(directory, in: config.workingDir)
        case .cmd(let form):
            config.cmd = form.arguments
        case .entrypoint(let form):
            config.entrypoint = form.arguments
            if !cmdSet { config.cmd = [] }  // as Docker: an ENTRYPOINT resets the CMD inherited from the base
        case .from, .run, .copy, .add, .arg:
            break
        }
        return config
    }

    /// `path` made absolute against the working directory `base` (`/` when empty), cleaned.
    static func absolute(_ path: String, in base: String) -> String {
        let joined = path.hasPrefix("/") ? path : (base.isEmpty ? "/" : base) + "/" + path
        return "/" + DockerIgnore.clean(joined).joined(separator: "/")
    }

    /// The value of `name` in `KEY=value` environment entries.
    static func value(of name: String, in environment: [String]) -> String? {
        environment.last { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }
}
