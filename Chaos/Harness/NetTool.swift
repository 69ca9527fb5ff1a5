import CorralContainer

/// Runs the network tools the namespace mode needs (`ip`, `iptables-restore`) through
/// `NetworkTool`, with its failures as the harness's.
enum NetTool {
    /// The full path of tool `name`, or nil when it is not installed.
    static func path(_ name: String) -> String? { NetworkTool.path(name) }

    /// Runs `name arguments` (with `input` on its stdin) and returns its stdout; throws when it
    /// is missing or exits non-zero, saying which command failed and what it printed.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], input: String? = nil) throws(HarnessFailure) -> String {
        do {
            return try NetworkTool.run(name, arguments, input: input)
        } catch {
            throw HarnessFailure("\(error)")
        }
    }
}
