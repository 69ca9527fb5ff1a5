import ArgumentParser

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
            QuorumCommand.self,
            ContainerCommand.self,
            ImageCommand.self,
            SimCommand.self,
            BenchCommand.self,
            DebugCommand.self,
        ]
    )
}
