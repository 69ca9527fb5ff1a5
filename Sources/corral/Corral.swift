import ArgumentParser
import CorralStore
import Foundation

/// The `corral` command line (started from `CorralMain`).
struct Corral: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corral",
        abstract: "Corral: a cluster manager with a Raft-replicated master quorum and native containers.",
        discussion: "Example: corral up (a local cluster), then in another shell: corral run -- echo hi",
        subcommands: [
            MasterCommand.self,
            AgentCommand.self,
            UpCommand.self,
            RunCommand.self,
            PsCommand.self,
            StopCommand.self,
            LogsCommand.self,
            AgentsCommand.self,
            FrameworksCommand.self,
            EventsCommand.self,
            QuorumCommand.self,
            ContainerCommand.self,
            ImageCommand.self,
            CertsCommand.self,
            RegistryCommand.self,
            SimCommand.self,
            BenchCommand.self,
            DebugCommand.self,
            FuzzCommand.self,
        ]
    )

    /// Arms the failpoints of `CORRAL_FAILPOINTS` (none unless it is set; a value that does not
    /// parse ends the process with status 2 before anything runs) and the wall-clock offset
    /// file of `CORRAL_WALL_CLOCK_OFFSET_FILE` (chaos clock jumps), then runs the command as
    /// ArgumentParser's own `main` does.
    static func main() async {
        do {
            let armed = try Failpoints.armFromEnvironment()
            if !armed.isEmpty {
                FileHandle.standardError.write(Data("corral: failpoints armed from \(Failpoints.variable): \(armed.map(\.description).joined(separator: "; "))\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("corral: \(error)\n".utf8))
            Foundation.exit(2)
        }
        if let file = WallClock.useOffsetFileFromEnvironment() {
            FileHandle.standardError.write(Data("corral: the wall clock is offset by what \(file) holds (\(WallClock.variable))\n".utf8))
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
