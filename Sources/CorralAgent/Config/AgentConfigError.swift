/// A setting of `corral agent` that is missing or wrong: which one, and what was wrong with it.
///
/// `description` reads `resources: "cpus:abc" — "abc" is not a number`, ready for the CLI to
/// print before it exits with status 2.
public struct AgentConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting, as the config file spells it (`resources`, `masters`, `timing.tick_ms`),
    /// prefixed with the file when the value came from one (`agent.toml: resources`).
    public let field: String
    /// What was wrong and, where it helps, what to write instead.
    public let message: String

    /// Makes an error for `field`.
    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `<field>: <message>`.
    public var description: String { "\(field): \(message)" }

    /// The same error with the file it came from (and the line, when known) in front of the field.
    func from(_ source: String?, line: Int? = nil) -> AgentConfigError {
        guard let source else { return self }
        return AgentConfigError(field: "\(source)\(line.map { " line \($0)" } ?? ""): \(field)", message)
    }
}
