import Foundation

/// One parser the fuzz harness feeds: its name, a few valid inputs to mutate, and how to
/// run one input through the real parser.
///
/// A thrown error is the parser refusing bad input and is fine; a trap, a hang or an
/// unbounded allocation inside `run` is a finding.
public struct FuzzTarget: Sendable {
    /// How the mutator treats the inputs.
    public enum Format: Sendable {
        /// Bytes: bit flips, interesting byte values, range edits, splices.
        case binary
        /// Text (JSON, TOML, paths): the byte mutations plus token-level ones.
        case text
    }

    /// The name given on the command line (`corral fuzz NAME`).
    public let name: String
    /// One line saying which parser this is.
    public let summary: String
    /// How inputs are mutated.
    public let format: Format
    /// Valid inputs built in code, the starting corpus.
    public let seeds: [[UInt8]]
    /// Feeds one input to the parser; `scratch` is an empty directory the input may fill
    /// (it is emptied after each input).
    public let run: @Sendable (_ input: [UInt8], _ scratch: String) throws -> Void

    /// Makes a target.
    public init(
        name: String, summary: String, format: Format, seeds: [[UInt8]],
        run: @escaping @Sendable (_ input: [UInt8], _ scratch: String) throws -> Void
    ) {
        self.name = name
        self.summary = summary
        self.format = format
        self.seeds = seeds
        self.run = run
    }
}

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of `text`.
    init(utf8 text: String) { self = Array(text.utf8) }
}
