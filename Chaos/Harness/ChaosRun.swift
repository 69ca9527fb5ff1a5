import CorralHistory
import CorralMaster
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One chaos run: starts the scenario's masters, runs the register workload while the
/// seeded fault schedule fires and heals, then checks the history and the masters' views
/// and writes the report directory.
public struct ChaosRun: Sendable {
    public var scenario: Scenario
    public var seed: UInt64
    /// The `corral` executable.
    public var binary: String
    public var reportDirectory: String
    /// Where progress lines go.
    public var say: @Sendable (String) -> Void
    /// Defects the masters are started with on purpose (`DeliberateBreak` names), to show
    /// that the checkers catch them; empty for every real run.
    public var deliberateBreaks: [String] = []

    public init(scenario: Scenario, seed: UInt64, binary: String, reportDirectory: String, say: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.scenario = scenario
        self.seed = seed
        self.binary = binary
        self.reportDirectory = reportDirectory
        self.say = say
    }

    /// Runs the scenario; throws only when the harness itself could not run it.
    public func run() throws(HarnessFailure) -> ChaosSummary {
        try replaceEarlierReport()
        do {
            try FileManager.default.createDirectory(atPath: reportDirectory, withIntermediateDirectories: true)
        } catch {
            throw HarnessFailure("cannot create the report directory \(reportDirectory): \(error)")
        }
        let plan = FaultSchedule.plan(scenario, seed: seed)
        let network = try ClusterNetwork.make(
            scenario.network, nodes: scenario.networkNodes, partitions: scenario.hasPartitions)
        let teardown = "network \(reportDirectory)"
        ChildReaper.shared.onTeardown(teardown) { network.remove() }
        defer {
            network.remove()
            ChildReaper.shared.forget(teardown)
        }
        let cluster = try ChaosCluster(
            masters: scenario.masters, binary: binary, directory: reportDirectory, network: network, proxied: scenario.hasLinkFaults,
            seed: seed, spares: scenario.spareMasters,
            environment: deliberateBreaks.isEmpty ? [:] : [DeliberateBreak.variable: deliberateBreaks.joined(separator: ",")],
            clockOffsets: scenario.hasClockJumps, config: try masterSettings())
        defer {
            cluster.stopAll()
            cluster.proxies?.stop()
        }
        let disks = try mountDataDisks(cluster)
        defer { unmount(disks, cluster) }
        say("chaos: \(scenario.name) seed \(seed), \(scenario.masters) masters on \(network)")
        if !deliberateBreaks.isEmpty { say("chaos: the masters are DELIBERATELY BROKEN: \(deliberateBreaks.joined(separator: ", "))") }
        say("chaos: masters " + cluster.allMembers.map { "m\($0.id) \($0.http)" }.joined(separator: ", "))
        say("chaos: schedule " + plan.map(\.description).joined(separator: "; "))
        for id in cluster.ids { try cluster.start(id) }
        guard cluster.leader(seconds: 30) != nil else {
            throw HarnessFailure("the masters elected no leader within 30 s; see \(cluster.logPath(1))")
        }
        let side = scenario.agents > 0 ? ChaosRunAgents(scenario: scenario, binary: binary, directory: reportDirectory, cluster: cluster, breaks: deliberateBreaks) : nil
        defer { side?.agents.stopAll() }
        try side?.startAgents(cluster)

        let clock = HistoryRecorder.clock(since: .now)
        let watch = LeaderWatch(cluster: cluster, clock: clock)
        let register = RegisterClient(
            client: MasterClient(timeoutSeconds: scenario.workload.requestTimeoutSeconds), endpoints: cluster.allMembers.map(\.http),
            names: Dictionary(uniqueKeysWithValues: cluster.allMembers.map { ($0.http, "m\($0.id)") }))
        let workload = RegisterWorkload(
            clients: scenario.workload.clients, keys: scenario.workload.registers, seed: seed, register: register,
            recorder: HistoryRecorder(clock: clock))
        let clients = workload.start(clock: clock, until: UInt64(scenario.durationSeconds * 1e9))
        try side?.startWorkload(cluster, seed: seed, clock: clock)

        var summary = ChaosSummary(
            scenario: scenario.name, seed: seed, masters: scenario.masters, network: network.description, reportDirectory: reportDirectory,
            failoverTargetSeconds: scenario.bounds.failoverTargetSeconds)
        var records = runLanes(plan, summary: &summary) { planned, summary in
            if let side, planned.target.hitsNoMaster {
                side.inject(planned, run: self, cluster: cluster, clock: clock, summary: &summary)
            } else {
                inject(planned, cluster: cluster, clock: clock, summary: &summary)
            }
        }
        records.sort { $0.injectedNanos < $1.injectedNanos }
        clients.wait()
        do {
            try workload.finalReads()
        } catch {
            summary.violations.append("liveness: \(error)")
        }
        summary.convergenceSeconds = converge(cluster)
        if summary.convergenceSeconds == nil {
            summary.violations.append(
                "liveness: the masters did not all apply what was committed within \(scenario.bounds.convergenceSeconds) s after the last heal")
        }
        if scenario.spareMasters > 0 { summary.violations += MembershipCheck.violations(cluster) }
        side?.wrapUp(cluster, clock: clock, say: say)
        let views = watch.stop()
        cluster.stopAll()

        let history = workload.recorder.history()
        ChaosChecks.check(history: history, records: records, views: views, bounds: scenario.bounds, into: &summary)
        summary.violations += workload.notes.unexpected.map { "an answer outside the KV API's contract: \($0)" }
        side?.check(records: records, views: views, into: &summary)
        summary.elapsedSeconds = Double(clock()) / 1e9
        try side?.writeReport(reportDirectory)
        try ReportWriter(directory: reportDirectory).write(history: history, records: records, views: views, summary: summary)
        return summary
    }

    /// Fires one planned fault when it is due and heals it after its time; no record when no
    /// leader could be found to aim it (a liveness violation); one per partition of a `flap`.
    private func inject(
        _ planned: PlannedFault, cluster: ChaosCluster, clock: @Sendable () -> UInt64, summary: inout ChaosSummary
    ) -> [FaultRecord] {
        sleep(until: UInt64(planned.atSeconds * 1e9), clock)
        guard let (leader, term) = cluster.leader(seconds: scenario.bounds.failoverLimitSeconds) else {
            summary.violations.append(
                "liveness: no agreed leader within \(scenario.bounds.failoverLimitSeconds) s before fault \(planned)")
            return []
        }
        if planned.kind.isPartition {
            guard let network = cluster.network.namespaces else {
                summary.violations.append("harness: \(planned) needs network namespaces, and this run has none")
                return []
            }
            return cut(planned, leader: leader, term: term, network: network, members: cluster.ids, clock: clock, summary: &summary)
        }
        if planned.kind == .lossy {
            return lossy(planned, leader: leader, term: term, cluster: cluster, clock: clock, summary: &summary)
        }
        if planned.kind == .clockJump {
            return clockJump(planned, leader: leader, term: term, cluster: cluster, clock: clock, summary: &summary)
        }
        if planned.kind == .replace {
            return replace(planned, leader: leader, term: term, cluster: cluster, clock: clock, summary: &summary)
        }
        if planned.kind.isDisk {
            return diskFault(planned, leader: leader, term: term, cluster: cluster, clock: clock, summary: &summary)
        }
        let targets = planned.targets(leader: leader, members: cluster.ids)
        let injected = clock()
        for id in targets {
            switch planned.kind {
            case .kill: cluster.signal(id, SIGKILL)
            case .stop: cluster.signal(id, SIGTERM)
            case .pause: cluster.signal(id, SIGSTOP)
            case .isolate, .split, .oneWay, .bridge, .flap, .slowFsync, .diskFull, .lossy, .clockJump, .replace, .killInit: break
            }
        }
        say("chaos: \(ClientOperation.secondsText(injected)) \(planned.kind.rawValue) \(targets.map { "m\($0)" }.joined(separator: ",")) (leader m\(leader), term \(term))")
        sleep(until: injected + UInt64(planned.healAfterSeconds * 1e9), clock)
        for id in targets {
            switch planned.kind {
            case .kill, .stop:
                do { try cluster.start(id) } catch { summary.violations.append("harness: \(error)") }
            case .pause: cluster.signal(id, SIGCONT)
            case .isolate, .split, .oneWay, .bridge, .flap, .slowFsync, .diskFull, .lossy, .clockJump, .replace, .killInit: break
            }
        }
        let healed = clock()
        say("chaos: \(ClientOperation.secondsText(healed)) healed \(targets.map { "m\($0)" }.joined(separator: ","))")
        summary.faults.append("\(planned) -> \(targets.map { "m\($0)" }.joined(separator: ","))")
        return [
            FaultRecord(
                planned: planned, targets: targets, leaderBefore: leader, termBefore: term, injectedNanos: injected, healedNanos: healed,
                members: cluster.ids.count)
        ]
    }

    /// Seconds until every master has applied what any master reported committed at the start;
    /// nil if that does not happen within the scenario's bound.
    private func converge(_ cluster: ChaosCluster) -> Double? {
        let start = Date()
        // What was committed when the check began; the task workload may still be writing,
        // so the masters are held to catching up with it, not to meeting at one index.
        var target: UInt64?
        repeat {
            let statuses = cluster.ids.compactMap(cluster.status)
            if statuses.count == cluster.ids.count {
                let committed = statuses.map(\.raft.commitIndex).max() ?? 0
                if target == nil { target = committed }
                if let target, statuses.allSatisfy({ $0.raft.appliedIndex >= target }) {
                    return Date().timeIntervalSince(start)
                }
            }
            usleep(100_000)
        } while Date().timeIntervalSince(start) < scenario.bounds.convergenceSeconds
        return nil
    }

    func sleep(until nanos: UInt64, _ clock: @Sendable () -> UInt64) {
        let now = clock()
        if nanos > now { usleep(UInt32(min((nanos - now) / 1_000, UInt64(UInt32.max)))) }
    }

    /// A report directory left by an earlier run of the same scenario and seed is removed
    /// (its masters' data would belong to another cluster); a directory that holds anything
    /// else is refused rather than deleted.
    public func replaceEarlierReport() throws(HarnessFailure) {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: reportDirectory) else { return }
        let reportFiles: Set<String> = [
            "data", "summary.json", "history.jsonl", "faults.jsonl", "leaders.jsonl", "report.html",
            "agents", "tasks.jsonl", "cluster.jsonl", "task-runs.jsonl",
        ]
        let isReport = entries.allSatisfy { reportFiles.contains($0) || $0.hasPrefix("master-") || $0.hasPrefix("agent-") }
        guard isReport else {
            throw HarnessFailure(
                "the report directory \(reportDirectory) holds files that are not a chaos report; choose another --reports")
        }
        do { try manager.removeItem(atPath: reportDirectory) } catch {
            throw HarnessFailure("cannot remove the earlier report \(reportDirectory): \(error)")
        }
    }
}
