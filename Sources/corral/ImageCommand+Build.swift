import ArgumentParser
import CorralContainer
import Foundation

extension ImageCommand {
    /// `corral image build [-t NAME] [-f Dockerfile] [--build-arg K=V]... [--no-cache] CONTEXT`.
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build an image from a Dockerfile into the store.",
            discussion: """
                FROM (an image in the store, or scratch), RUN, COPY, ADD (local files only; archives \
                are not extracted), ENV, ARG, WORKDIR, USER, EXPOSE, LABEL, ENTRYPOINT, CMD; one stage. \
                RUN runs without a network. Each step is cached in the store.
                Example: corral image build -t web:1 --build-arg VERSION=2 ./web
                """
        )

        @OptionGroup var options: StoreOptions
        @Option(
            name: [.customShort("t"), .customLong("tag")],
            help: ArgumentHelp(
                "Name for the image, e.g. web:1 (default: unnamed; its digest is printed).",
                valueName: "name"
            )
        )
        var tag: String?
        @Option(
            name: [.customShort("f"), .customLong("file")],
            help: ArgumentHelp("The Dockerfile (default: CONTEXT/Dockerfile).", valueName: "path")
        )
        var file: String?
        @Option(
            name: .customLong("build-arg"),
            help: "NAME=value for an ARG (repeatable); NAME alone takes it from the environment."
        )
        var buildArguments: [String] = []
        @Flag(name: .customLong("no-cache"), help: "Run every step again instead of reusing cached ones.")
        var noCache = false
        @Argument(help: "The build context directory.")
        var context: String

        func run() throws {
            var arguments: [String: String] = [:]
            for argument in buildArguments {
                let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0])
                guard !name.isEmpty else {
                    throw ValidationError("--build-arg needs NAME=value, not '\(argument)'")
                }
                if parts.count == 2 {
                    arguments[name] = String(parts[1])
                } else if let value = ProcessInfo.processInfo.environment[name] {
                    arguments[name] = value
                }
            }
            let path = file ?? context + "/Dockerfile"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Self.fail("cannot read the Dockerfile '\(path)'; give one with -f")
            }
            let builder = ImageBuilder(
                store: try ImageCommand.reporting { try options.openStore() },
                stateRoot: options.stateRoot
            ) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            do {
                let dockerfile = try Dockerfile(parsing: String(decoding: data, as: UTF8.self))
                _ = try builder.build(
                    dockerfile,
                    options: .init(context: context, buildArguments: arguments, noCache: noCache, tag: tag)
                )
            } catch let error as DockerfileError {
                FileHandle.standardError.write(Data("corral image build: error: \(error)\n".utf8))
                throw error.exitCode.map { ExitCode($0) } ?? ExitCode.failure
            } catch let error as ContainerError {
                throw Self.fail("\(error)")
            }
        }

        private static func fail(_ message: String) -> ExitCode {
            FileHandle.standardError.write(Data("corral image build: error: \(message)\n".utf8))
            return ExitCode.failure
        }
    }

    /// `corral image prune-build-cache`.
    struct PruneBuildCache: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune-build-cache",
            abstract: "Forget every cached build step and remove the images only the cache kept.",
            discussion: "Example: corral image prune-build-cache"
        )

        @OptionGroup var options: StoreOptions

        func run() throws {
            try ImageCommand.reporting { try options.openStore().clearBuildCache() }
            print("build cache emptied")
        }
    }
}
