/// A scenario file that cannot be run: which file, which field, and what belongs there.
public struct ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or "scenario" for text without a file).
    public var source: String
    /// The TOML key at fault, e.g. `faults[1].target`.
    public var field: String
    /// What was wrong and what to write instead.
    public var message: String

    public init(source: String, field: String, _ message: String) {
        self.source = source
        self.field = field
        self.message = message
    }

    public var description: String { "\(source): \(field): \(message)" }
}
