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

extension ContainerSpawner {
    /// Runs `corral container spawner …` and exits, when that is what `arguments` ask for.
    ///
    /// Called first thing in `main.swift`, on the main thread, before anything has started a
    /// worker thread of Swift concurrency or Dispatch: the spawner then is, and stays,
    /// single-threaded, so it may fork its copies at once instead of first watching the
    /// runtime's other threads go quiet (`SupervisorSpawner.otherThreadsSleep`).
    static func runFirstIfAsked(_ arguments: [String]) {
        guard arguments.count >= 3, arguments[1] == "container", arguments[2] == configuration.commandName else { return }
        main(Array(arguments.dropFirst(3)))
        Foundation.exit(0)
    }
}
