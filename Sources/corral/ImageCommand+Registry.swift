import ArgumentParser
import CorralContainer
import Foundation
import Synchronization

extension ImageCommand {
    /// The registry options `pull` and `push` share.
    struct RegistryFlags: ParsableArguments {
        @Flag(name: .long, help: "Allow plain HTTP (without it, HTTPS only).")
        var insecure = false
        @Option(name: .long, help: "NAME:PASSWORD for the registry or its token server (default: $CORRAL_REGISTRY_USER / $CORRAL_REGISTRY_PASSWORD).")
        var user: String?
        @Flag(name: .long, help: "No progress on stderr.")
        var quiet = false
        @Option(name: .customLong("ca-cert"), help: "A PEM file of CAs to trust for the registry's HTTPS instead of the system's.")
        var caCertificate: String?

        /// Registry options from the flags and the environment.
        func options() throws -> RegistryOptions {
            let environment = ProcessInfo.processInfo.environment
            var credentials: RegistryCredentials?
            if let user {
                credentials = try RegistryCredentials(parsing: user)
            } else if let name = environment["CORRAL_REGISTRY_USER"], !name.isEmpty {
                credentials = RegistryCredentials(user: name, password: environment["CORRAL_REGISTRY_PASSWORD"] ?? "")
            }
            let showing = !quiet && isatty(STDERR_FILENO) == 1
            return RegistryOptions(
                insecure: insecure, credentials: credentials, progress: showing ? TransferProgress().report : nil,
                caCertificate: caCertificate)
        }
    }

    /// `corral image pull REF [--name NAME]`.
    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull an image from an OCI (v2) registry into the store.",
            discussion: "Example: corral image pull --insecure 127.0.0.1:5000/tools/busybox:1.36 --name busybox"
        )

        @OptionGroup var options: StoreOptions
        @OptionGroup var registry: RegistryFlags
        @Option(name: .long, help: "Name for the image in the store (default: the reference).")
        var name: String?
        @Argument(help: "host[:port]/repository[:tag|@sha256:…]")
        var reference: String

        func run() throws {
            let result = try ImageCommand.reporting {
                try options.openStore().pull(
                    try ImageReference(parsing: reference), name: name, options: try registry.options())
            }
            print("pulled \(result.name) \(result.digest) (\(result.downloaded.count) blobs fetched, \(result.skipped.count) already present)")
        }
    }

    /// `corral image push NAME REF`.
    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push an image of the store to an OCI (v2) registry.",
            discussion: "Example: corral image push --insecure busybox 127.0.0.1:5000/tools/busybox:1.36"
        )

        @OptionGroup var options: StoreOptions
        @OptionGroup var registry: RegistryFlags
        @Argument(help: "The image's name or manifest digest in the store.")
        var name: String
        @Argument(help: "host[:port]/repository[:tag|@sha256:…]")
        var reference: String

        func run() throws {
            let digest = try ImageCommand.reporting {
                try options.openStore().push(name, to: try ImageReference(parsing: reference), options: try registry.options())
            }
            print("pushed \(reference) \(digest)")
        }
    }
}

/// Shows each blob's transfer on stderr as `layer <short digest> <bytes>/<total>`, rewritten in
/// place at most ten times a second and ended with a newline when the blob is whole.
private final class TransferProgress: Sendable {
    private let last = Mutex<(digest: String, time: UInt64)>(("", 0))

    func report(_ blob: Descriptor, _ bytes: Int64) {
        let now = DispatchTime.now().uptimeNanoseconds
        let done = bytes >= blob.size
        let show = last.withLock { state -> Bool in
            guard done || state.digest != blob.digest.hex || now - state.time > 100_000_000 else { return false }
            state = (blob.digest.hex, now)
            return true
        }
        guard show else { return }
        let line = "\r\(blob.digest.short) \(ImageCommand.formatBytes(bytes))/\(ImageCommand.formatBytes(blob.size))"
        FileHandle.standardError.write(Data((line + (done ? "\n" : "")).utf8))
    }
}
