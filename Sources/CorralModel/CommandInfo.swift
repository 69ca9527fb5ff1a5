/// `CommandInfo`: the command a task or executor runs, and what to fetch first.
public struct CommandInfo: Codable, Hashable, Sendable {
    /// URIs to fetch into the sandbox.
    @Repeated public var uris: [URI]
    /// Environment variables.
    public var environment: Environment?
    /// Whether `value` runs through `/bin/sh -c` (Mesos default: true).
    public var shell: Bool?
    /// The shell command, or the executable when `shell` is false.
    public var value: String?
    /// The argv when `shell` is false.
    @Repeated public var arguments: [String]
    /// The OS user to run as, overriding the framework's.
    public var user: String?

    /// Makes a command.
    public init(
        value: String?,
        shell: Bool? = nil,
        arguments: [String] = [],
        environment: Environment? = nil,
        user: String? = nil,
        uris: [URI] = []
    ) {
        self.value = value
        self.shell = shell
        self.arguments = arguments
        self.environment = environment
        self.user = user
        self.uris = uris
    }

    /// A shell command, e.g. `.shell("sleep 10")`.
    public static func shell(_ command: String) -> CommandInfo { CommandInfo(value: command, shell: true) }

    /// Whether the command runs through a shell (unset means yes, as in Mesos).
    public var isShell: Bool { shell ?? true }

    /// `CommandInfo.URI`: something to fetch.
    public struct URI: Codable, Hashable, Sendable {
        /// The URI.
        public var value: String
        /// Whether to mark it executable.
        public var executable: Bool?
        /// Whether to extract archives (Mesos default: true).
        public var extract: Bool?
        /// Whether to use the fetcher cache.
        public var cache: Bool?
        /// The file name to save as.
        public var outputFile: String?

        enum CodingKeys: String, CodingKey {
            case value, executable, extract, cache
            case outputFile = "output_file"
        }

        /// Makes a URI.
        public init(value: String, executable: Bool? = nil, extract: Bool? = nil) {
            self.value = value
            self.executable = executable
            self.extract = extract
        }
    }
}

/// `Environment`: `{"variables": [{"name", "type", "value"}]}`.
public struct Environment: Codable, Hashable, Sendable {
    /// The variables, in order.
    @Repeated public var variables: [Variable]

    /// Wraps variables.
    public init(variables: [Variable] = []) { self.variables = variables }

    /// Plain `name=value` variables.
    public init(_ pairs: [(String, String)]) {
        variables = pairs.map { Variable(name: $0.0, value: $0.1) }
    }

    /// One variable. Secret variables decode; their secret is not kept.
    public struct Variable: Codable, Hashable, Sendable {
        /// The name.
        public var name: String
        /// `VALUE` (Mesos default) or `SECRET`.
        public var type: Kind?
        /// The value of a `VALUE` variable.
        public var value: String?

        /// Makes a variable.
        public init(name: String, type: Kind? = nil, value: String?) {
            self.name = name
            self.type = type
            self.value = value
        }

        /// `Environment.Variable.Type`.
        public struct Kind: OpenEnum {
            /// The proto name.
            public let rawValue: String
            /// Wraps a proto name.
            public init(rawValue: String) { self.rawValue = rawValue }
            /// Unset.
            public static let unknown: Kind = "UNKNOWN"
            /// A plain value.
            public static let value: Kind = "VALUE"
            /// A secret reference.
            public static let secret: Kind = "SECRET"
            /// Every name this build knows.
            public static let known: [Kind] = [.unknown, .value, .secret]
        }
    }
}
