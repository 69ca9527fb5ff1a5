import Foundation

/// The containers an agent leaves behind on purpose (they outlive the agent, so that a
/// restarted agent re-attaches them), for whoever ends the agent for good: `corral up`,
/// `corral bench tasks` and the tests.
extension RuntimeDirectory {
    /// Where an agent's custom executors' containers live: `<runtimeDirectory>/executors`.
    public static func executors(in runtimeDirectory: String) -> String { "\(runtimeDirectory)/executors" }

    /// The container stores in an agent's runtime directory: its tasks', then its custom executors'.
    public static func stores(in runtimeDirectory: String) -> [ContainerStore] {
        [ContainerStore(root: runtimeDirectory), ContainerStore(root: executors(in: runtimeDirectory))]
    }

    /// Stops every container of the agent whose runtime directory is `runtimeDirectory`,
    /// removes their records and unmounts the runtime tmpfs. Returns what could not be cleaned up.
    @discardableResult
    public static func stopContainers(in runtimeDirectory: String, grace: Duration) -> [String] {
        var problems: [String] = []
        for store in stores(in: runtimeDirectory) {
            for record in (try? store.list()) ?? [] {
                do {
                    _ = try store.stop(record, grace: grace)
                    try store.remove(record)
                } catch {
                    problems.append("container \(record.id): \(error)")
                }
            }
        }
        if problems.isEmpty, let problem = release(runtimeDirectory) { problems.append(problem) }
        return problems
    }
}
