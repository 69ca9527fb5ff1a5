import Foundation

/// One instruction of a Dockerfile as written: its keyword, flags and arguments, and the line it
/// starts on. `command(expanding:)` gives its meaning once the build's variables are known.
public struct DockerfileInstruction: Sendable, Equatable {
    /// The line it starts on (1-based).
    public var line: Int
    /// The keyword, upper-cased: `RUN`, `COPY`...
    public var keyword: String
    /// `--name=value` flags before the arguments, e.g. `chown` for `COPY --chown=1000:1000`.
    public var flags: [String: String]
    /// The rest of the instruction, continuations joined.
    public var arguments: String

    /// The flags each instruction accepts.
    static let allowedFlags: [String: Set<String>] = ["COPY": ["chown"], "ADD": ["chown"]]

    /// Parses one instruction whose text (continuations joined) starts on `line`.
    init(line: Int, text: String) throws(DockerfileError) {
        self.line = line
        let body = text.trimmingSpaces
        let keywordEnd = body.firstIndex { $0 == " " || $0 == "\t" } ?? body.endIndex
        keyword = body[..<keywordEnd].uppercased()
        var rest = body[keywordEnd...].trimmingSpaces
        guard Dockerfile.keywords.contains(keyword) else {
            let supported = Dockerfile.keywords.sorted().joined(separator: ", ")
            throw DockerfileError(
                line: line,
                instruction: keyword,
                "is not an instruction Corral builds (it builds \(supported))"
            )
        }
        flags = [:]
        while rest.hasPrefix("--") {
            let end = rest.firstIndex { $0 == " " || $0 == "\t" } ?? rest.endIndex
            let flag = rest[rest.index(rest.startIndex, offsetBy: 2)..<end]
            let parts = flag.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard Self.allowedFlags[keyword]?.contains(name) ?? false, parts.count == 2, !parts[1].isEmpty
            else {
                throw DockerfileError(
                    line: line,
                    instruction: keyword,
                    "does not take the flag --\(flag) (Corral's \(keyword) takes \(Self.allowedFlags[keyword].map { $0.map { "--\($0)=…" }.joined(separator: ", ") } ?? "no flags"))"
                )
            }
            flags[name] = String(parts[1])
            rest = rest[end...].trimmingSpaces
        }
        arguments = String(rest)
        _ = try command(expanding: nil)
    }

    /// How the step prints: `RUN echo hi`.
    public var text: String {
        ([keyword] + flags.sorted { $0.key < $1.key }.map { "--\($0.key)=\($0.value)" }
            + (arguments.isEmpty ? [] : [arguments]))
            .joined(separator: " ")
    }

    /// The instruction's meaning with variables expanded by `lookup` (kept as written when nil).
    /// `RUN`, `CMD` and `ENTRYPOINT` are never expanded: their shell does that when they run.
    public func command(expanding lookup: ((String) -> String?)?) throws(DockerfileError) -> DockerfileCommand
    {
        do {
            return try parse(lookup)
        } catch let problem {
            throw DockerfileError(line: line, instruction: keyword, problem.message)
        }
    }

    private func parse(_ lookup: ((String) -> String?)?) throws(ShellWords.Problem) -> DockerfileCommand {
        func fail(_ message: String) -> ShellWords.Problem { ShellWords.Problem(message: message) }
        switch keyword {
        case "FROM":
            let words = try ShellWords.split(arguments, lookup: lookup)
            if words.count == 1 { return .from(image: words[0], alias: nil) }
            guard words.count == 3, words[1].uppercased() == "AS" else {
                throw fail("needs an image, optionally followed by AS <name>: FROM busybox AS base")
            }
            return .from(image: words[0], alias: words[2])
        case "RUN", "CMD", "ENTRYPOINT":
            guard let form = ProcessForm(arguments) else {
                throw fail("needs a command, as a shell line or a JSON array")
            }
            return keyword == "RUN" ? .run(form) : keyword == "CMD" ? .cmd(form) : .entrypoint(form)
        case "COPY", "ADD":
            let words: [String]
            if let array = Self.jsonArray(arguments) {
                words =
                    lookup == nil
                    ? array
                    : try array.map { (word) throws(ShellWords.Problem) in
                        try ShellWords.word(word, lookup: lookup)
                    }
            } else {
                words = try ShellWords.split(arguments, lookup: lookup)
            }
            guard words.count >= 2, let destination = words.last else {
                throw fail("needs a source and a destination")
            }
            var chown: String?
            if let flag = flags["chown"] { chown = try ShellWords.word(flag, lookup: lookup) }
            let sources = Array(words.dropLast())
            return keyword == "COPY"
                ? .copy(sources: sources, destination: destination, chown: chown)
                : .add(sources: sources, destination: destination, chown: chown)
        case "ENV", "LABEL":
            let pairs = try keyValues(lookup, legacy: keyword == "ENV")
            return keyword == "ENV" ? .env(pairs) : .label(pairs)
        case "ARG":
            let words = try ShellWords.split(arguments, lookup: lookup)
            guard words.count == 1, let word = words.first, !word.hasPrefix("=") else {
                throw fail("needs one name, optionally with a default: ARG VERSION=1.0")
            }
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return .arg(name: String(parts[0]), defaultValue: parts.count == 2 ? String(parts[1]) : nil)
        case "WORKDIR", "USER":
            let value = try ShellWords.word(arguments, lookup: lookup)
            guard !value.isEmpty else {
                throw fail(
                    keyword == "USER" ? "needs a user: USER 1000:1000 or USER nobody" : "needs a directory"
                )
            }
            return keyword == "USER" ? .user(value) : .workdir(value)
        case "EXPOSE":
            let ports = try ShellWords.split(arguments, lookup: lookup)
            guard !ports.isEmpty else { throw fail("needs at least one port: EXPOSE 80 or EXPOSE 53/udp") }
            return .expose(
                try ports.map { (port) throws(ShellWords.Problem) -> String in
                    if lookup == nil && port.contains("$") { return port }  // checked once expanded
                    let parts = port.split(separator: "/", omittingEmptySubsequences: false)
                    guard let number = UInt16(parts[0]), number > 0, parts.count <= 2,
                        parts.count == 1 || ["tcp", "udp", "sctp"].contains(parts[1].lowercased())
                    else { throw fail("needs ports as NUMBER or NUMBER/tcp|udp|sctp, not '\(port)'") }
                    return parts.count == 1 ? "\(number)/tcp" : "\(number)/\(parts[1].lowercased())"
                }
            )
        default:
            throw fail("is not an instruction Corral builds")
        }
    }

    /// `ENV`/`LABEL` pairs: `k=v k2="v 2"`, or (ENV's legacy form) `KEY the rest of the line`.
    private func keyValues(_ lookup: ((String) -> String?)?, legacy: Bool) throws(ShellWords.Problem)
        -> [KeyValue]
    {
        let raw = try ShellWords.split(arguments, lookup: nil)
        guard let first = raw.first else { throw ShellWords.Problem(message: "needs NAME=value pairs") }
        if legacy, !first.contains("=") {
            let value = arguments.trimmingSpaces.dropFirst(first.count)
            guard !value.trimmingSpaces.isEmpty else {
                throw ShellWords.Problem(message: "needs a value: ENV NAME=value or ENV NAME value")
            }
            return [KeyValue(key: first, value: try ShellWords.word(String(value), lookup: lookup))]
        }
        return try ShellWords.split(arguments, lookup: lookup).map {
            (word) throws(ShellWords.Problem) -> KeyValue in
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ShellWords.Problem(message: "needs NAME=value pairs, not '\(word)'")
            }
            return KeyValue(key: String(parts[0]), value: String(parts[1]))
        }
    }

    /// A JSON array of strings, if `text` is one.
    static func jsonArray(_ text: String) -> [String]? {
        let trimmed = text.trimmingSpaces
        guard trimmed.hasPrefix("[") else { return nil }
        return try? JSONDecoder().decode([String].self, from: Data(trimmed.utf8))
    }
}

/// What an instruction does, its variables expanded.
public enum DockerfileCommand: Sendable, Equatable, Codable {
    case from(image: String, alias: String?)
    case run(ProcessForm)
    case copy(sources: [String], destination: String, chown: String?)
    case add(sources: [String], destination: String, chown: String?)
    case env([KeyValue])
    case arg(name: String, defaultValue: String?)
    case workdir(String)
    case user(String)
    case expose([String])
    case label([KeyValue])
    case entrypoint(ProcessForm)
    case cmd(ProcessForm)
}

/// A `NAME=value` pair of `ENV` or `LABEL`.
public struct KeyValue: Sendable, Equatable, Codable {
    public var key: String
    public var value: String

    /// Makes a pair.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A process as `RUN`, `CMD` and `ENTRYPOINT` write it.
public enum ProcessForm: Sendable, Equatable, Codable {
    /// `RUN echo hi`: run by `/bin/sh -c`.
    case shell(String)
    /// `RUN ["echo", "hi"]`: run as is.
    case exec([String])

    /// The exec form when `text` is a JSON array of strings, else the shell form; nil when empty.
    init?(_ text: String) {
        if let array = DockerfileInstruction.jsonArray(text) {
            self = .exec(array)
        } else {
            let line = String(text.trimmingSpaces)
            guard !line.isEmpty else { return nil }
            self = .shell(line)
        }
    }

    /// The argument vector: `["/bin/sh", "-c", line]` for the shell form.
    public var arguments: [String] {
        switch self {
        case .shell(let line): ["/bin/sh", "-c", line]
        case .exec(let arguments): arguments
        }
    }
}
