import ArgumentParser
import CorralContainer
import Foundation

/// `corral image …`: the local OCI image store.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Manage the local OCI image store (<root>/images).",
        discussion: "Example: corral image import-rootfs busybox ./rootfs && corral image ls",
        subcommands: [
            Import.self, ImportRootfs.self, List.self, Remove.self, Inspect.self, Save.self, Load.self, Tag.self, Pull.self, Push.self,
            Build.self, PruneBuildCache.self,
        ]
    )

    /// `--root` is accepted both before the subcommand (`image --root DIR ls`) and after it.
    @OptionGroup var options: StoreOptions

    /// The store location shared by every image subcommand.
    struct StoreOptions: ParsableArguments {
        @Option(name: .long, help: "Corral's state directory (default: $CORRAL_ROOT or /var/lib/corral).")
        var root: String?

        /// Opens the store under `--root`, `$CORRAL_ROOT` or the default root.
        func openStore() throws -> ImageStore {
            try ImageStore(root: stateRoot)
        }

        /// `--root`, else `$CORRAL_ROOT`, else the default root.
        var stateRoot: String {
            let environment = ProcessInfo.processInfo.environment["CORRAL_ROOT"].flatMap {
                $0.isEmpty ? nil : $0
            }
            return root ?? environment ?? ImageStore.defaultRoot
        }
    }

    /// `corral image import PATH [--name NAME]`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Import an OCI image layout directory, or a tar of one (umoci, skopeo oci:/oci-archive:).",
            discussion: "Example: skopeo copy docker://alpine:3.20 oci:alpine-oci && corral image import alpine-oci --name alpine"
        )

        @OptionGroup var options: StoreOptions
        @Option(name: .long, help: "Name for the image (when the layout holds exactly one).")
        var name: String?
        @Argument(help: "An OCI layout directory or a tar(.gz) of one.")
        var path: String

        func run() throws {
            let imported = try ImageCommand.reporting {
                try options.openStore().importImage(from: path, name: name)
            }
            for image in imported { print("imported \(image.name) \(image.digest)") }
        }
    }

    /// `corral image import-rootfs NAME DIR`.
    struct ImportRootfs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-rootfs",
            abstract: "Turn a plain root file-system directory into a one-layer image.",
            discussion: "Example: corral image import-rootfs busybox ./rootfs"
        )

        @OptionGroup var options: StoreOptions
        @Argument(help: "The image name.")
        var name: String
        @Argument(help: "The root file-system directory.")
        var directory: String

        func run() throws {
            let image = try ImageCommand.reporting {
                try options.openStore().importRootfs(name: name, directory: directory)
            }
            print("imported \(image.name) \(image.digest)")
        }
    }

    /// `corral image ls`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images.", discussion: "Example: corral image ls")

        @OptionGroup var options: StoreOptions

        func run() throws {
            let images = try ImageCommand.reporting { try options.openStore().list() }
            let rows =
                [["NAME", "DIGEST", "SIZE", "CREATED"]]
                + images.map {
                    [$0.name, $0.digest.short, ImageCommand.formatBytes($0.sizeBytes), $0.created ?? "-"]
                }
            let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let cells = row.enumerated().map { index, cell in
                    index == row.count - 1
                        ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                }
                print(cells.joined(separator: "  "))
            }
        }
    }

    /// `corral image rm NAME`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove an image and garbage-collect unreferenced blobs and layers.",
            discussion: "Example: corral image rm alpine"
        )

        @OptionGroup var options: StoreOptions
        @Argument(help: "The image name.")
        var name: String

        func run() throws {
            try ImageCommand.reporting { try options.openStore().remove(name) }
            print("removed \(name)")
        }
    }

    /// `corral image inspect NAME`.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an image's manifest digest, config and layers as JSON.",
            discussion: "Example: corral image inspect busybox"
        )

        @OptionGroup var options: StoreOptions
        @Argument(help: "The image name or manifest digest.")
        var name: String

        func run() throws {
            let details = try ImageCommand.reporting { try options.openStore().inspect(name) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(details), as: UTF8.self))
        }
    }

    /// Runs `body`, turning a `ContainerError` into a one-line message and exit status 1.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ContainerError {
            FileHandle.standardError.write(
                Data("corral image: error (\(error.code.rawValue)): \(error.message)\(error.cause.isEmpty ? "" : ": \(error.cause)")\n".utf8)
            )
            throw ExitCode.failure
        }
    }

    /// `1.2MB`-style sizes.
    static func formatBytes(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes)B" : String(format: "%.1f", value) + units[unit]
    }
}
