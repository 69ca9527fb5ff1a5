import CorralContainer
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The processes of one kind (masters, agents) that a run started, by id, and which of them
/// are paused: the signalling the cluster and the agents share.
final class ChildProcesses<ID: Hashable & Comparable & Sendable>: Sendable {
    private let processes = Mutex<[ID: Process]>([:])
    private let paused = Mutex<Set<ID>>([])

    /// Runs `process` with its output appended to the file `log` (made if missing), adopts it
    /// for the reaper and records it as `id`; `what` names it in the error.
    func start(_ id: ID, _ process: Process, log path: String, what: String) throws(HarnessFailure) {
        do {
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            log.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            try process.runWithoutInheritedFiles()
        } catch {
            throw HarnessFailure("cannot start \(what): \(error)")
        }
        ChildReaper.shared.adopt(process.processIdentifier)
        processes.withLock { $0[id] = process }
    }

    /// Started and not killed, in order.
    var running: [ID] { processes.withLock { Array($0.keys) }.sorted() }

    /// Running and not paused.
    var live: [ID] {
        let stopped = paused.withLock { $0 }
        return running.filter { !stopped.contains($0) }
    }

    func isAlive(_ id: ID) -> Bool { processes.withLock { $0[id]?.isRunning ?? false } }

    /// Sends `signal`; SIGSTOP and SIGCONT mark it paused and running; any other signal is
    /// followed by SIGCONT and waited for (SIGKILL after 10 s), and the process is forgotten.
    func signal(_ id: ID, _ signal: Int32) {
        guard let process = processes.withLock({ $0[id] }) else { return }
        let pid = process.processIdentifier
        switch signal {
        case SIGSTOP:
            _ = paused.withLock { $0.insert(id) }
            kill(pid, SIGSTOP)
        case SIGCONT:
            kill(pid, SIGCONT)
            _ = paused.withLock { $0.remove(id) }
        default:
            kill(pid, signal)
            kill(pid, SIGCONT)
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
            ChildReaper.shared.release(pid)
            processes.withLock { $0[id] = nil }
            _ = paused.withLock { $0.remove(id) }
        }
    }
}
