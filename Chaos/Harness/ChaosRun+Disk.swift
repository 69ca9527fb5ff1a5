import CorralHistory
import CorralMaster
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ChaosRun {
    /// For a scenario with a `disk-full` step: a size-limited tmpfs on every master's data
    /// directory (which master leads when the disk fills is only known then), unmounted at the
    /// end of the run (its contents kept in the report) or on Ctrl-C.
    func mountDataDisks(_ cluster: ChaosCluster) throws(HarnessFailure) -> DataDisks? {
        guard scenario.hasDiskFull else { return nil }
        let disks = try DataDisks.mount(cluster.ids.map(cluster.dataPath))
        ChildReaper.shared.onTeardown("disks \(reportDirectory)") { disks.unmount(keepingContents: false) }
        say("chaos: data directories on \(DataDisks.megabytes) MiB tmpfs mounts (\(DataDisks.source))")
        return disks
    }

    /// Stops the masters, then unmounts `disks`, keeping what they wrote.
    func unmount(_ disks: DataDisks?, _ cluster: ChaosCluster) {
        guard let disks else { return }
        cluster.stopAll()
        disks.unmount(keepingContents: true)
        ChildReaper.shared.forget("disks \(reportDirectory)")
    }

    /// `slow-fsync`: restarts the target with the step's failpoints for the fault's time, then
    /// without them. `disk-full`: fills the target's data disk for the fault's time, then frees
    /// it and restarts the target if it stopped; a master that exits on the full disk, or
    /// stops for any reason but the disk, is a violation.
    func diskFault(
        _ planned: PlannedFault, leader: UInt64, term: UInt64, cluster: ChaosCluster, clock: @Sendable () -> UInt64,
        summary: inout ChaosSummary
    ) -> [FaultRecord] {
        guard let id = planned.targets(leader: leader, members: cluster.ids).first else { return [] }
        let who = "m\(id) (leader m\(leader), term \(term))"
        let injected: UInt64
        var outcome: String
        switch planned.kind {
        case .slowFsync:
            let failpoints = scenario.faults[planned.step].failpoints ?? Scenario.defaultSlowFsync
            cluster.signal(id, SIGTERM)
            injected = clock()
            restart(id, failpoints: failpoints, cluster: cluster, summary: &summary)
            say("chaos: \(ClientOperation.secondsText(injected)) slow-fsync \(who): restarted with CORRAL_FAILPOINTS=\(failpoints)")
            sleep(until: injected + UInt64(planned.healAfterSeconds * 1e9), clock)
            cluster.signal(id, SIGTERM)
            restart(id, failpoints: nil, cluster: cluster, summary: &summary)
            outcome = "restarted with \(failpoints), then without"
        default:
            let path = cluster.dataPath(id)
            let disks = DataDisks(paths: cluster.ids.map(cluster.dataPath))
            injected = clock()
            do {
                let bytes = try disks.fill(path)
                say("chaos: \(ClientOperation.secondsText(injected)) disk-full \(who): \(bytes >> 20) MiB filler, \(disks.freeBytes(path)) bytes free")
            } catch {
                summary.violations.append("harness: \(error)")
            }
            let ballast = pressFullDisk(id, cluster: cluster, until: injected + UInt64(planned.healAfterSeconds * 1e9), clock)
            say("chaos: \(ClientOperation.secondsText(clock())) disk-full m\(id): \(ballast) ballast writes of \(Self.ballastBytes >> 10) KiB")
            sleep(until: injected + UInt64(planned.healAfterSeconds * 1e9), clock)
            outcome = healDisk(id, path: path, disks: disks, cluster: cluster, summary: &summary)
        }
        let healed = clock()
        say("chaos: \(ClientOperation.secondsText(healed)) healed m\(id): \(outcome)")
        summary.faults.append("\(planned) -> m\(id): \(outcome)")
        return [
            FaultRecord(
                planned: planned, targets: [id], leaderBefore: leader, termBefore: term, injectedNanos: injected, healedNanos: healed,
                members: cluster.ids.count)
        ]
    }

    /// Frees the disk of master `id` and, if it stopped writing or exited, restarts it; says what happened.
    private func healDisk(_ id: UInt64, path: String, disks: DataDisks, cluster: ChaosCluster, summary: inout ChaosSummary) -> String {
        let alive = cluster.isAlive(id)
        let status = alive ? cluster.status(id) : nil
        disks.free(path)
        guard alive else {
            summary.violations.append("disk-full: m\(id) exited on the full disk instead of refusing writes; see \(cluster.logPath(id))")
            cluster.signal(id, SIGKILL)
            restart(id, failpoints: nil, cluster: cluster, summary: &summary)
            return "it had exited; freed and restarted"
        }
        guard let status else {
            summary.notes.append("disk-full: m\(id) did not answer its status on the full disk; restarted it")
            cluster.signal(id, SIGKILL)
            restart(id, failpoints: nil, cluster: cluster, summary: &summary)
            return "no status; freed and restarted"
        }
        guard let failure = status.raft.failure else {
            summary.notes.append("disk-full: m\(id) never needed a new page of its full disk, even under ballast writes")
            return "it kept running; freed"
        }
        // LMDB reports a write the full disk cut short as EIO; the store adds the free space.
        if failure.contains("No space left on device") || failure.contains("Input/output error") {
            summary.notes.append("disk-full: m\(id) stopped accepting writes: \(failure.prefix(600))")
        } else {
            summary.violations.append("disk-full: m\(id) stopped for a reason other than the full disk: \(failure.prefix(400))")
        }
        cluster.signal(id, SIGTERM)
        restart(id, failpoints: nil, cluster: cluster, summary: &summary)
        return "it stopped accepting writes (\(failure.contains("No space left on device") ? "ENOSPC" : "EIO")); freed and restarted"
    }

    /// The size of one ballast write: large enough that LMDB needs new pages for it.
    static let ballastBytes = 256 << 10

    /// Writes ballast (keys `chaos-ballast-N`, outside the register workload's keys) through
    /// master `id`, following redirects, until it reports that its log could not be written or
    /// `deadline` passes; returns how many writes went out. A full disk only hurts a master that
    /// needs a new page, and LMDB first reuses the pages its log compaction freed: without this
    /// a master could ride out the whole fault on them.
    private func pressFullDisk(_ id: UInt64, cluster: ChaosCluster, until deadline: UInt64, _ clock: @Sendable () -> UInt64) -> Int {
        guard let member = cluster.member(id) else { return 0 }
        let client = RegisterClient(client: MasterClient(timeoutSeconds: 2), endpoints: [member.http])
        let value = String(repeating: "b", count: Self.ballastBytes)
        var sent = 0
        while clock() < deadline, cluster.status(id)?.raft.failure == nil, cluster.isAlive(id) {
            _ = client.perform(.write, key: "chaos-ballast-\(sent % 64)", value: value, first: 0)
            sent += 1
        }
        return sent
    }

    private func restart(_ id: UInt64, failpoints: String?, cluster: ChaosCluster, summary: inout ChaosSummary) {
        do { try cluster.start(id, failpoints: failpoints) } catch { summary.violations.append("harness: \(error)") }
    }
}
