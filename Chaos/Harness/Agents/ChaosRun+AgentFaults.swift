import CorralHistory
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ChaosRun {
    /// `<report>/master-settings.toml` with the scenario's `[scheduling]`, which every master
    /// is started with (`--config`); nil when the scenario sets nothing.
    func masterSettings() throws(HarnessFailure) -> String? {
        guard !scenario.scheduling.isEmpty else { return nil }
        let path = "\(reportDirectory)/master-settings.toml"
        do {
            try scenario.scheduling.toml.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw HarnessFailure("cannot write the masters' settings \(path): \(error)")
        }
        return path
    }
}

extension ChaosRunAgents {
    /// The agent faults of this file: `kill-init`, `isolate` and `disk-full` aimed at an agent.
    static func isAgentFault(_ planned: PlannedFault) -> Bool {
        planned.target == .agent && [.killInit, .isolate, .diskFull].contains(planned.kind)
    }

    /// Fires `kill-init`, `isolate` or `disk-full` on agent `id` and heals it after its time.
    /// `kill-init` SIGKILLs the init of every task container running on the agent (waiting up
    /// to the fault's time for one to run); `isolate` drops everything between the agent and
    /// the masters (DROP rules in the agent's and the masters' namespaces); `disk-full` fills
    /// the agent's work disk (`fillWorkDisk`). `isolate` waits, as `kill-init` does, for a task
    /// to start on the agent before it cuts it off.
    func agentFault(
        _ planned: PlannedFault, id: Int, leader: UInt64, term: UInt64, run: ChaosRun, cluster: ChaosCluster,
        clock: @escaping @Sendable () -> UInt64, summary: inout ChaosSummary
    ) -> [FaultRecord] {
        let node = Scenario.agentNodeBase + UInt64(id)
        let lasts = UInt64(planned.healAfterSeconds * 1e9)
        var injected = clock()
        let outcome: String
        switch planned.kind {
        case .killInit:
            var killed: [KilledInit] = []
            repeat {
                killed = agents.killInits(id, clock: clock)
                if killed.isEmpty { usleep(50_000) }
            } while killed.isEmpty && clock() < injected + lasts
            injected = killed.first?.nanos ?? injected
            killedInits += killed
            outcome = killed.isEmpty ? "no task ran on it" : "SIGKILLed the init of " + killed.map { "\($0.task) (pid \($0.pid))" }.joined(separator: ", ")
            if killed.isEmpty { summary.notes.append("\(planned): no task ran on agent \(id), no init was killed") }
            run.say("chaos: \(ClientOperation.secondsText(injected)) kill-init agent \(id): \(outcome)")
            run.sleep(until: injected + lasts, clock)
        case .isolate:
            guard let network = cluster.network.namespaces else {
                summary.violations.append("harness: \(planned) needs network namespaces, and this run has none")
                return []
            }
            let partition = Partition.split([node], from: cluster.ids + [node])
            let running = waitForATask(on: id, until: injected + lasts, clock: clock)
            if !running { summary.notes.append("\(planned): no task started on agent \(id) before it was cut off") }
            injected = clock()
            do {
                try network.cut(partition)
            } catch {
                summary.violations.append("harness: \(error)")
                try? network.heal()
                return []
            }
            run.say("chaos: \(ClientOperation.secondsText(injected)) isolate agent \(id) from every master")
            run.sleep(until: injected + lasts, clock)
            do { try network.heal() } catch { summary.violations.append("harness: \(error)") }
            outcome = "cut off from every master for \(String(format: "%.1f", Double(clock() - injected) / 1e9)) s"
        default:
            injected = clock()
            outcome = fillWorkDisk(id, until: injected + lasts, run: run, clock: clock, summary: &summary)
        }
        let healed = clock()
        run.say("chaos: \(ClientOperation.secondsText(healed)) healed agent \(id)")
        summary.faults.append("\(planned) -> agent \(id): \(outcome)")
        return [
            FaultRecord(
                planned: planned, targets: [node], leaderBefore: leader, termBefore: term, injectedNanos: injected, healedNanos: healed,
                members: cluster.ids.count)
        ]
    }

    /// Waits until a task container starts on agent `id` (one not yet running when it began
    /// to wait), or until `deadline`; whether one started. An agent is cut off just after a
    /// task starts on it, so the partition strands work the masters must account for
    /// (TASK_UNREACHABLE or TASK_LOST, then back on re-registering): a task just started has
    /// its whole run ahead, while one found already running might end just as the cut falls.
    func waitForATask(on id: Int, until deadline: UInt64, clock: @escaping @Sendable () -> UInt64) -> Bool {
        var seen = Set(agents.runningTasks(id))
        while true {
            let running = agents.runningTasks(id)
            if running.contains(where: { !seen.contains($0) }) { return true }
            if clock() >= deadline { return false }
            seen.formUnion(running)
            usleep(20_000)
        }
    }

    /// After the drain: waits up to `seconds` until no container on any agent runs a task its
    /// scheduler saw end (a task told TASK_LOST is killed when its agent returns); returns the
    /// ones still running then.
    func lingeringTasks(seconds: Double) -> [TaskRun] {
        let ended = Set((workload?.log.all ?? []).filter { $0.type == "status" && MasterStateView.Task.isTerminal($0.state ?? "") }
            .compactMap(\.task))
        let deadline = Date().addingTimeInterval(seconds)
        var lingering: [TaskRun] = []
        repeat {
            lingering = agents.ids.flatMap { id in agents.runningTasks(id).filter(ended.contains).map { TaskRun(agent: id, framework: "", task: $0, runs: 1) } }
            if lingering.isEmpty { break }
            usleep(200_000)
        } while Date() < deadline
        return lingering
    }

    /// The leader's final state, read again for up to `seconds` while an agent still has
    /// resources allocated although every launched task ended.
    func settledState(_ cluster: ChaosCluster, seconds: Double) -> MasterStateView? {
        let deadline = Date().addingTimeInterval(seconds)
        var state = ClusterStateWatch.finalState(cluster)
        while undrained == 0, let current = state, !TaskChecks.resourcesReturned(current).isEmpty, Date() < deadline {
            usleep(200_000)
            state = ClusterStateWatch.finalState(cluster) ?? current
        }
        return state
    }

    /// The agent faults' checks and notes, and the killed inits in the task counts.
    func checkAgentFaults(_ records: [FaultRecord], events: [TaskEvent], into summary: inout ChaosSummary) {
        summary.violations += TaskChecks.killedInitsEnded(killedInits, events: events)
        summary.violations += TaskChecks.nothingRunsAfterItsEnd(lingering, events: events)
        summary.violations += TaskChecks.mesosStateOrder(events, partitionAware: scenario.tasks?.partitionAware ?? 0)
        if undrained == 0, let final { summary.violations += TaskChecks.resourcesReturned(final) }
        let byHost = Dictionary((final?.slaves ?? []).map { ($0.hostname, $0.id) }, uniquingKeysWith: { first, _ in first })
        let agentIDs = Dictionary(uniqueKeysWithValues: agents.ids.compactMap { id in byHost[agents.hostname(id)].map { (id, $0) } })
        summary.violations += TaskChecks.shortPartitionsLoseNothing(
            records, scheduling: scenario.scheduling, events: events, agentIDs: agentIDs)
        summary.notes += TaskChecks.partitionNotes(records, scheduling: scenario.scheduling, events: events, agentIDs: agentIDs)
        if records.contains(where: { $0.planned.kind == .killInit }) {
            let ends = Dictionary(grouping: killedInits.compactMap { hit in
                events.first { $0.type == "status" && $0.task == hit.task && MasterStateView.Task.isTerminal($0.state ?? "") }?.state
            }, by: { $0 }).map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
            summary.tasks = (summary.tasks ?? "") + "; inits killed \(killedInits.count) (ended \(ends))"
        }
    }
}
