import ArgumentParser
import CorralContainer

extension ImageCommand {
    /// `corral image save NAME... -o FILE`.
    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write images to an OCI archive (a tar of an OCI layout), as docker save does.",
            discussion: "Example: corral image save busybox alpine:3.20 -o images.tar, then corral image load -i images.tar on another node"
        )

        @OptionGroup var options: StoreOptions
        @Option(name: [.short, .customLong("output")], help: "The archive to write (it must not be a directory).")
        var output: String
        @Argument(help: "Image names or manifest digests.")
        var names: [String]

        func run() throws {
            try ImageCommand.reporting { try options.openStore().save(names, to: output) }
            print("saved \(names.joined(separator: ", ")) to \(output)")
        }
    }

    /// `corral image load -i FILE [--name NAME]`.
    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the images of an OCI archive (corral image save, skopeo oci-archive:, umoci), as docker load does.",
            discussion: "Example: corral image load -i images.tar"
        )

        @OptionGroup var options: StoreOptions
        @Option(name: [.short, .customLong("input")], help: "The archive to read: a tar (optionally gzipped) of an OCI layout.")
        var input: String
        @Option(name: .long, help: "Name for the image (when the archive holds exactly one).")
        var name: String?

        func run() throws {
            let loaded = try ImageCommand.reporting { try options.openStore().importImage(from: input, name: name) }
            for image in loaded { print("loaded \(image.name) \(image.digest)") }
        }
    }

    /// `corral image tag SOURCE TARGET`.
    struct Tag: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an image another name (an image that had that name loses it).",
            discussion: "Example: corral image tag busybox registry.local:5000/tools/busybox:1.36"
        )

        @OptionGroup var options: StoreOptions
        @Argument(help: "The image's name or manifest digest.")
        var source: String
        @Argument(help: "The new name.")
        var target: String

        func run() throws {
            let image = try ImageCommand.reporting { try options.openStore().tag(source, as: target) }
            print("tagged \(image.name) \(image.digest)")
        }
    }
}
