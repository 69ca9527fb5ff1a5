import ArgumentParser

/// `corral container …`: node-local containers with Docker's verbs.
struct ContainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container",
        abstract: "Run and manage containers on this node.",
        discussion: "Example: corral container run --image busybox -- /bin/sh -c 'hostname; ps'",
        subcommands: [
            ContainerRun.self, ContainerPs.self, ContainerStop.self, ContainerLogs.self, ContainerRm.self, ContainerCommit.self,
            ContainerSupervise.self, ContainerSpawner.self,
        ]
    )
}
