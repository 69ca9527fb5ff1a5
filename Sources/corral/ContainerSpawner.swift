import ArgumentParser
import CorralContainer
import Foundation

/// `corral container spawner` (hidden): forks detached container supervisors on request
/// (see `SupervisorSpawner`); exits when its caller closes the socket.
struct ContainerSpawner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spawner",
        abstract: "Fork container supervisors on request (internal).",
        shouldDisplay: false
    )

    @OptionGroup var root: StateRootOptions
    @Option(help: "The socket requests come in on.") var socketFd: Int32 = 3

    func run() throws {
        let status = SupervisorSpawner.serve(socket: socketFd, store: root.store)
        if status != 0 { throw ExitCode(status) }
    }
}
