import ArgumentParser
import CorralContainer
import Foundation

/// `corral container supervise ID` (hidden): the detached supervisor of one container.
struct ContainerSupervise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervise",
        abstract: "Supervise a recorded container until it exits (internal).",
        shouldDisplay: false
    )

    @OptionGroup var root: StateRootOptions
    @Argument var id: String
    @Option(help: "Write 'ok' or the launch error here, then close it.") var readyFd: Int32 = -1

    func run() throws {
        let store = root.store
        let record = try store.load(id: id)
        let ready = readyFd
        defer { Supervisor.reapOrphans() }
        _ = try Supervisor(store: store).run(record) { result in
            guard ready >= 0 else { return }
            let message: String
            switch result {
            case .success: message = "ok\n"
            case .failure(let error): message = "\(error)\n"
            }
            _ = message.withCString { write(ready, $0, strlen($0)) }
            close(ready)
        }
    }
}
