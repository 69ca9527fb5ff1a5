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
    private let teardowns = Mutex<[String: @Sendable () -> Void]>([:])

    /// A signal source kept alive for the life of the process.
    // @unchecked: after `resume()` the source is never touched again, only retained.
    private struct KeptSource: @unchecked Sendable { let source: any DispatchSourceSignal }

    public func adopt(_ pid: pid_t) { _ = pids.withLock { $0.insert(pid) } }
    public func release(_ pid: pid_t) { _ = pids.withLock { $0.remove(pid) } }

    /// Registers `body` (removing a run's network namespaces, say) to run in `killAll`, after
    /// the children are killed; `name` identifies it for `forget`.
    public func onTeardown(_ name: String, _ body: @escaping @Sendable () -> Void) { teardowns.withLock { $0[name] = body } }
    /// Drops a teardown that already ran.
    public func forget(_ name: String) { _ = teardowns.withLock { $0.removeValue(forKey: name) } }

    /// SIGCONT then SIGKILL to every child still adopted, then every registered teardown.
    public func killAll() {
        let all = pids.withLock { pids in
            defer { pids.removeAll() }
            return pids
        }
        for pid in all {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
        }
        let bodies = teardowns.withLock { bodies in
            defer { bodies.removeAll() }
            return Array(bodies.values)
        }
        for body in bodies { body() }
    }

    /// From now on SIGINT and SIGTERM kill every child, run every teardown, print `note` (the latest one given:
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
                    FileHandle.standardError.write(Data("\ninterrupted: every master and agent was killed, the agents' containers stopped and the network removed. \(said)\n".utf8))
                    exit(128 + number)
                }
                source.resume()
                return KeptSource(source: source)
            }
        }
    }
}
