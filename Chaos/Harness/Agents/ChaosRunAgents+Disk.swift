import CorralHistory
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Scenario {
    /// Whether a step fills an agent's disk (the agents' work directories are then
    /// size-limited tmpfs mounts).
    public var hasAgentDiskFull: Bool { faults.contains { $0.kind == .diskFull && $0.target == .agent } }
}

extension ChaosRunAgents {
    /// For a scenario with an agent `disk-full` step: a size-limited tmpfs (`DataDisks`) on
    /// every agent's work directory, mounted before the agents start.
    func mountWorkDisks() throws(HarnessFailure) {
        guard scenario.hasAgentDiskFull else { return }
        let disks = try DataDisks.mount(agents.ids.map(agents.workDirectory))
        workDisks = disks
        ChildReaper.shared.onTeardown("agent disks \(agents.directory)") { disks.unmount(keepingContents: false) }
    }

    /// After the agents stopped (and released their runtime mounts inside the work
    /// directories): unmounts the work disks, keeping what the agents wrote.
    func unmountWorkDisks() {
        guard let disks = workDisks else { return }
        workDisks = nil
        disks.unmount(keepingContents: true)
        ChildReaper.shared.forget("agent disks \(agents.directory)")
    }

    /// `disk-full` on agent `id`: fills its work disk until `healAt`, then frees it. An agent
    /// must either stay up or stop saying that it could not write to its work directory (its
    /// checkpoint: it stops rather than lose an update); one that stopped is started again at
    /// the heal and recovers its tasks. One that exits without saying why is a violation.
    func fillWorkDisk(
        _ id: Int, until healAt: UInt64, run: ChaosRun, clock: @Sendable () -> UInt64, summary: inout ChaosSummary
    ) -> String {
        guard let disks = workDisks else {
            summary.violations.append("harness: agent \(id)'s work directory is not on a disk of its own")
            return "no disk to fill"
        }
        let path = agents.workDirectory(id)
        let logged = (try? FileManager.default.attributesOfItem(atPath: agents.logPath(id))[.size] as? Int) ?? 0
        do {
            let bytes = try disks.fill(path)
            run.say("chaos: \(ClientOperation.secondsText(clock())) disk-full agent \(id): \(bytes >> 20) MiB filler, \(disks.freeBytes(path)) bytes free")
        } catch {
            summary.violations.append("harness: \(error)")
        }
        run.sleep(until: healAt, clock)
        disks.free(path)
        guard !agents.isAlive(id) else { return "filled; the agent stayed up" }
        let said = agents.log(id, from: logged)
        let why = said.split(separator: "\n").last { $0.contains("No space left") || $0.contains("cannot write") || $0.contains("ENOSPC") }
        if why == nil {
            summary.violations.append(
                "agent \(id) exited on its full disk without saying that it could not write: \(said.suffix(600))")
        }
        agents.signal(id, SIGKILL)
        do { try agents.start(id) } catch { summary.violations.append("harness: \(error)") }
        return "filled; the agent stopped (\(why.map { String($0.suffix(200)) } ?? "no reason given")) and was started again"
    }
}

extension ChaosAgents {
    /// What agent `id` logged after the first `offset` bytes of its log.
    func log(_ id: Int, from offset: Int) -> String {
        guard let data = FileManager.default.contents(atPath: logPath(id)), data.count > offset else { return "" }
        return String(decoding: data[offset...], as: UTF8.self)
    }
}
