import CCorralLauncher
import CorralContainer
import Dispatch
import Foundation
import Synchronization

/// A foreground `run`: this process supervises, echoes the output, and turns
/// SIGINT/SIGTERM into a container stop.
struct ForegroundRun {
    let store: ContainerStore
    let record: ContainerRecord

    func run() throws -> ContainerExit {
        let initPid = Mutex<pid_t?>(nil)
        let id = record.id
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                guard let pid = initPid.withLock({ $0 }) else { return }
                let pidfd = corral_pidfd_open(pid)
                guard pidfd >= 0 else { return }
                defer { close(pidfd) }
                try? ContainerStopper.stop(pidfd: pidfd, cgroup: Cgroup(id: id), grace: .seconds(10))
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        let supervisor = Supervisor(store: store, logOptions: LogOptions(echo: true))
        let exit = try supervisor.run(record) { result in
            if case .success(let running) = result, case .running(let initProcess, _) = running.state {
                initPid.withLock { $0 = initProcess.pid }
            }
        }
        Supervisor.reapOrphans()
        return exit
    }
}
