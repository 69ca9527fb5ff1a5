import CorralStore
import TOMLKit

extension Scenario {
    /// What a `slow-fsync` step arms on its target when the scenario does not say.
    public static let defaultSlowFsync = "raft.fsync=sleep(200ms)"
}

extension ScenarioReader {
    /// `failpoints` of a fault step: only a `slow-fsync` step takes it (default
    /// `Scenario.defaultSlowFsync`), and it must follow the `CORRAL_FAILPOINTS` grammar.
    func failpoints(_ table: TOMLTable, _ kind: Scenario.FaultKind, field: String) throws(ScenarioError) -> String? {
        guard let value = table["failpoints"] else { return kind == .slowFsync ? Scenario.defaultSlowFsync : nil }
        guard kind == .slowFsync else { throw fail("\(field).failpoints", "only a \"slow-fsync\" fault takes failpoints") }
        guard let text = value.string else { throw fail("\(field).failpoints", "must be a string, e.g. \"\(Scenario.defaultSlowFsync)\"") }
        let points: [Failpoint]
        do { points = try Failpoint.parse(text) } catch { throw fail("\(field).failpoints", "\(error)") }
        guard !points.isEmpty else { throw fail("\(field).failpoints", "names no failpoint; e.g. \"\(Scenario.defaultSlowFsync)\"") }
        return text
    }
}
