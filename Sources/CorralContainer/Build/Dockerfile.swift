/// A parsed Dockerfile: its instructions in order, each with the line it starts on.
///
/// Parsing is pure: line continuations (`\`, or the character a leading `# escape=` directive
/// names), comments and blank lines are handled here, and every instruction is checked for its
/// shape (`COPY` needs a source and a destination, `ENV` needs a name...), so a bad Dockerfile
/// is refused before anything runs. Variables (`$VAR`, `${VAR}`) are expanded later, at the step
/// that uses them, by `DockerfileInstruction.command(expanding:)`.
public struct Dockerfile: Sendable, Equatable {
    /// The instructions, in order.
    public var instructions: [DockerfileInstruction]

    /// The keywords Corral builds.
    static let keywords: Set<String> = [
        "FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "USER", "EXPOSE", "LABEL", "ENTRYPOINT", "CMD",
    ]

    /// Parses `text`; throws a `DockerfileError` naming the line and instruction of the first problem.
    public init(parsing text: String) throws(DockerfileError) {
        var escape: Character = "\\"
        var instructions: [DockerfileInstruction] = []
        var pending: (line: Int, text: String)?
        var directivesAllowed = true
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            var line = String(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if directivesAllowed, pending == nil, let value = Self.directive(trimmed, "escape") {
                guard value == "\\" || value == "`" else {
                    throw DockerfileError(
                        line: number,
                        instruction: "# escape",
                        "the escape character must be \\ or `, not '\(value)'"
                    )
                }
                escape = value == "`" ? "`" : "\\"
                continue
            }
            if trimmed.hasPrefix("#") {
                if !(directivesAllowed && Self.directive(trimmed, nil) != nil) { directivesAllowed = false }
                continue  // a comment, also inside a continued instruction
            }
            if trimmed.isEmpty { continue }  // blank lines end nothing, inside a continuation too
            directivesAllowed = false
            var part = String(trimmed)
            let continues = Self.endsWithEscape(&part, escape)
            if var started = pending {
                started.text += part
                pending = started
            } else {
                pending = (number, part)
            }
            if !continues, let complete = pending {
                instructions.append(try DockerfileInstruction(line: complete.line, text: complete.text))
                pending = nil
            }
        }
        if let complete = pending {
            instructions.append(try DockerfileInstruction(line: complete.line, text: complete.text))
        }
        try Self.checkOrder(instructions)
        self.instructions = instructions
    }

    /// `ARG` may come before the one `FROM`; nothing else may, and only one `FROM` (one stage) is built.
    private static func checkOrder(_ instructions: [DockerfileInstruction]) throws(DockerfileError) {
        guard let from = instructions.firstIndex(where: { $0.keyword == "FROM" }) else {
            throw DockerfileError(
                line: instructions.first?.line ?? 1,
                instruction: "FROM",
                "the Dockerfile has no FROM; start it with FROM <image> or FROM scratch"
            )
        }
        if let early = instructions[..<from].first(where: { $0.keyword != "ARG" }) {
            throw DockerfileError(
                line: early.line,
                instruction: early.keyword,
                "only ARG may come before FROM"
            )
        }
        if let second = instructions[(from + 1)...].first(where: { $0.keyword == "FROM" }) {
            throw DockerfileError(
                line: second.line,
                instruction: "FROM",
                "a second FROM (a multi-stage build) is not supported; build each stage as its own image"
            )
        }
    }

    /// The value of a `# name=value` parser directive (any name when `name` is nil).
    private static func directive(_ line: Substring, _ name: String?) -> String? {
        guard line.hasPrefix("#") else { return nil }
        let body = line.dropFirst().trimmingSpaces
        guard let equals = body.firstIndex(of: "=") else { return nil }
        let key = body[..<equals].trimmingSpaces.lowercased()
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter }), name == nil || key == name else { return nil }
        return String(body[body.index(after: equals)...].trimmingSpaces)
    }

    /// Strips a trailing escape character (and the spaces after it); true if there was one.
    private static func endsWithEscape(_ line: inout String, _ escape: Character) -> Bool {
        let content = line.trimmingSpaces
        guard content.last == escape else { return false }
        line = String(content.dropLast())
        return true
    }
}

/// A Dockerfile that cannot be built as written: `Dockerfile:7: COPY needs a source and a destination`.
public struct DockerfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line the instruction starts on (1-based).
    public var line: Int
    /// The instruction's keyword, e.g. `COPY`.
    public var instruction: String
    /// What is wrong and, where it helps, what to write instead.
    public var message: String
    /// The exit code of a `RUN` that failed, which `corral image build` exits with.
    public var exitCode: Int32?

    /// Makes an error for the instruction `instruction` on `line`.
    public init(line: Int, instruction: String, _ message: String, exitCode: Int32? = nil) {
        self.line = line
        self.instruction = instruction
        self.message = message
        self.exitCode = exitCode
    }

    /// `Dockerfile:<line>: <INSTRUCTION> <message>`.
    public var description: String { "Dockerfile:\(line): \(instruction) \(message)" }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let text = Substring(self)
        let start = text.firstIndex { $0 != " " && $0 != "\t" } ?? text.endIndex
        let end = text.lastIndex { $0 != " " && $0 != "\t" }.map { text.index(after: $0) } ?? start
        return start < end ? text[start..<end] : text[start..<start]
    }
}
