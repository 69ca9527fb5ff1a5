import CorralHistory
import TOMLKit

extension ChaosRun {
    /// `lossy`: sets the step's link fault on every link from and to the target (every link for
    /// `all`) for the fault's time, then clears it.
    func lossy(
        _ planned: PlannedFault, leader: UInt64, term: UInt64, cluster: ChaosCluster, clock: @Sendable () -> UInt64,
        summary: inout ChaosSummary
    ) -> [FaultRecord] {
        guard let proxies = cluster.proxies, let text = scenario.faults[planned.step].links, let fault = try? LinkFault.parse(text) else {
            summary.violations.append("harness: \(planned) has no link proxies or no links fault")
            return []
        }
        let targets = planned.targets(leader: leader, members: cluster.ids)
        let links = planned.target == .all ? proxies.allLinks : targets.flatMap { proxies.links(touching: $0) }
        let before = proxies.counts
        let injected = clock()
        proxies.set(fault, on: links)
        let aimed = targets.map { "m\($0)" }.joined(separator: ",")
        say("chaos: \(ClientOperation.secondsText(injected)) lossy \(aimed) (leader m\(leader), term \(term)): \(fault) on \(links.count) links")
        sleep(until: injected + UInt64(planned.healAfterSeconds * 1e9), clock)
        proxies.set(.none, on: links)
        let healed = clock()
        let after = proxies.counts
        let effect = "\(after.passed - before.passed) frames passed, \(after.dropped - before.dropped) dropped, "
            + "\(after.duplicated - before.duplicated) duplicated, \(after.resets - before.resets) connections reset"
        say("chaos: \(ClientOperation.secondsText(healed)) healed the links of \(aimed): \(effect)")
        summary.faults.append("\(planned) -> \(aimed): \(effect)")
        // The links are degraded, not cut: nobody is stranded and no fail-over is measured
        // (a leader change is up to the cluster); the other checkers hold as always.
        return [.strandingNobody(planned, targets: targets, leader: leader, term: term, injected: injected, healed: healed, members: cluster.ids.count)]
    }
}

extension ScenarioReader {
    /// `links` of a fault step: required by `lossy` and only taken by it.
    func links(_ table: TOMLTable, _ kind: Scenario.FaultKind, field: String) throws(ScenarioError) -> String? {
        guard let value = table["links"] else {
            if kind == .lossy { throw fail("\(field).links", "is required for \"lossy\": e.g. \"delay=20ms,jitter=60ms,loss=0.1\"") }
            return nil
        }
        guard kind == .lossy else { throw fail("\(field).links", "only a \"lossy\" fault takes links") }
        guard let text = value.string else { throw fail("\(field).links", "must be a string, e.g. \"delay=20ms,loss=0.1\"") }
        do { _ = try LinkFault.parse(text) } catch { throw fail("\(field).links", "\(error)") }
        return text
    }

    /// The link proxies carry the masters' Raft traffic from the harness's address, which no
    /// partition rule names, so a scenario cannot have both.
    func checkLinkFaults(_ scenario: Scenario) throws(ScenarioError) {
        guard scenario.hasLinkFaults, let index = scenario.faults.firstIndex(where: { $0.kind.isPartition }) else { return }
        throw fail(
            "faults[\(index)].kind",
            "a scenario with \"lossy\" faults cannot also cut links (\"\(scenario.faults[index].kind.rawValue)\"): the link proxies bypass the partition rules")
    }
}
