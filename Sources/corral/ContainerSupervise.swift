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
        try Supervisor.runDetached(id: id, store: root.store, readyFD: readyFd)
    }
}
