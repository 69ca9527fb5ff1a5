import ArgumentParser
import CorralContainer
import Foundation

/// `corral container ps [-a]`.
struct ContainerPs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers.", discussion: "Example: corral container ps -a")

    @OptionGroup var root: StateRootOptions
    @Flag(name: .shortAndLong, help: "Also show containers that are not running.") var all = false

    func run() throws {
        let records = try root.store.list().filter { all || $0.isRunning }
        let pad = { (text: String, width: Int) in
            text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0)
        }
        print(pad("CONTAINER ID", 14) + pad("NAME", 16) + pad("STATUS", 22) + "COMMAND")
        for record in records {
            let command = record.spec.arguments.joined(separator: " ")
            print(pad(record.id, 14) + pad(record.name, 16) + pad(record.statusText, 22) + command)
        }
    }
}

/// `corral container stop NAME [--grace S]`.
struct ContainerStop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "SIGTERM, then after the grace period SIGKILL the whole container.",
        discussion: "Example: corral container stop web"
    )

    @OptionGroup var root: StateRootOptions
    @Argument var name: String
    @Option(help: "Seconds between SIGTERM and SIGKILL.") var grace: Double = 10

    func run() throws {
        let store = root.store
        let record = try store.find(name)
        let final = try store.stop(record, grace: .milliseconds(Int64(grace * 1000)))
        print("\(final.name): \(final.statusText)")
    }
}

/// `corral container rm NAME`.
struct ContainerRm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove a stopped container.",
        discussion: "Example: corral container rm web"
    )

    @OptionGroup var root: StateRootOptions
    @Argument var name: String

    func run() throws {
        let store = root.store
        let record = try store.find(name)
        try store.remove(record)
        print(record.name)
    }
}

/// `corral container commit NAME IMAGE`.
struct ContainerCommit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit",
        abstract: "Make an image of a running container: its image plus what it wrote, as one more layer.",
        discussion: "Example: corral container commit web web:patched, then corral container run --image web:patched -- …"
    )

    @OptionGroup var root: StateRootOptions
    @Flag(name: .customLong("no-pause"), help: "Do not pause the container while its files are read.")
    var noPause = false
    @Argument(help: "The running container's name or id.")
    var name: String
    @Argument(help: "The new image's name, e.g. web:patched.")
    var image: String

    func run() throws {
        let store = root.store
        let record = try store.find(name)
        let images = try ImageStore(root: root.path)
        let summary = try ImageCommand.reporting { try store.commit(record, to: images, as: image, pause: !noPause) }
        print("committed \(summary.name) \(summary.digest)")
    }
}
