import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Every child process the harness started and has not yet reaped, so that Ctrl-C, SIGTERM
/// or a failed run ends them all (a paused one is resumed first, so SIGKILL reaches it).
public final class ChildReaper: Sendable {
    /// The harness's one reaper.
    public static let shared = ChildReaper()

    private let pids = Mutex<Set<pid_t>>([])
    private let sources = Mutex<[KeptSource]>([])
    private let note = Mutex<String>("")

    /// A signal source kept alive for the life of the process.
    // @unchecked: after `resume()` the source is never touched again, only retained.
    private struct KeptSource: @unchecked Sendable { let source: any DispatchSourceSignal }

    public func adopt(_ pid: pid_t) { _ = pids.withLock { $0.insert(pid) } }
    public func release(_ pid: pid_t) { _ = pids.withLock { $0.remove(pid) } }

    /// SIGCONT then SIGKILL to every child still adopted.
    public func killAll() {
        let all = pids.withLock { pids in
            defer { pids.removeAll() }
            return pids
        }
        for pid in all {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
        }
    }

    /// From now on SIGINT and SIGTERM kill every child, print `note` (the latest one given:
    /// say which run and seed) and exit with 130 (SIGINT) or 143 (SIGTERM).
    public func killChildrenOnSignals(note: String) {
        self.note.withLock { $0 = note }
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            sources = [SIGINT, SIGTERM].map { number -> KeptSource in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [self] in
                    killAll()
                    let said = self.note.withLock { $0 }
                    FileHandle.standardError.write(Data("\ninterrupted: every master was killed. \(said)\n".utf8))
                    exit(128 + number)
                }
                source.resume()
                return KeptSource(source: source)
            }
        }
    }
}
