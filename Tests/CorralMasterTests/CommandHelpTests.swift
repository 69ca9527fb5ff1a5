import CorralTestSupport
import Foundation
import Testing

/// Every command the `corral` binary lists, at every level, has an example in its `--help`.
@Suite(.offCooperativePool) struct CommandHelpTests {
    /// The subcommands a `--help` text lists (its SUBCOMMANDS section; hidden ones are not there).
    static func subcommands(_ help: [String]) -> [String] {
        guard let start = help.firstIndex(of: "SUBCOMMANDS:") else { return [] }
        // The section ends at its first blank line ("  See 'corral help <subcommand>'…" follows).
        return help[(start + 1)...].prefix { !$0.isEmpty }.compactMap { line in
            guard line.hasPrefix("  "), let first = line.dropFirst(2).first, first.isLowercase else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }

    @Test func everyCommandsHelpHasAnExample() throws {
        let binary = try CorralBinary.locate()
        let scratch = try ScratchDirectory(prefix: "corral-help")
        defer { scratch.remove() }
        var pending: [[String]] = [[]]
        var seen: [String] = []
        var missing: [String] = []
        while let command = pending.popLast(), seen.count < 200 {
            let help = try ChildProcess.run(binary, command + ["--help"], scratch: scratch.path)
            let name = (["corral"] + command).joined(separator: " ")
            #expect(help.status == 0 && !help.signaled, "\(name) --help: \(help.summary)")
            seen.append(name)
            // "Example: corral …", or "Examples:" with the commands on the lines after it.
            let example = help.lines.firstIndex { $0.hasPrefix("Example") }
            if example.map({ help.lines[$0...].prefix(4).contains { $0.contains("corral ") } }) != true { missing.append(name) }
            pending += Self.subcommands(help.lines).map { command + [$0] }
        }
        #expect(seen.contains("corral quorum add-learner") && seen.contains("corral image import-rootfs"), "\(seen)")
        #expect(seen.count > 30, "\(seen)")
        #expect(missing.isEmpty, "--help without an example: \(missing)")
    }
}
