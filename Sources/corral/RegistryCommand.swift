import ArgumentParser
import CorralRegistry
import Foundation
import Glibc

/// `corral registry …`: an OCI Distribution Spec registry on this machine.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Serve an OCI image registry (the distribution spec's /v2/ API), and collect its garbage.",
        discussion: "Example: corral registry serve --root /var/lib/corral/registry --listen 127.0.0.1:5000",
        subcommands: [Serve.self, GarbageCollect.self]
    )

    /// The default root directory.
    static let defaultRoot = "/var/lib/corral/registry"

    /// `corral registry serve`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the registry until SIGTERM or SIGINT.",
            discussion: """
                Example: corral registry serve --listen 0.0.0.0:5000 --htpasswd ./htpasswd \
                --tls-cert cert.pem --tls-key key.pem
                Prints 'registry listening on HOST:PORT' once it accepts connections (port 0 picks a free one).
                """
        )

        @Option(name: .long, help: "ADDR:PORT to listen on.")
        var listen = "127.0.0.1:5000"
        @Option(name: .long, help: "The registry's directory (blobs, repositories, uploads).")
        var root = RegistryCommand.defaultRoot
        @Option(name: .long, help: "An htpasswd file (bcrypt, as htpasswd -B writes) of the users allowed in.")
        var htpasswd: String?
        @Option(name: .long, help: "NAME:PASSWORD of the one user allowed in.")
        var user: String?
        @Option(name: .customLong("tls-cert"), help: "A PEM certificate chain: serve HTTPS (with --tls-key).")
        var tlsCert: String?
        @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.")
        var tlsKey: String?
        @Option(name: .long, help: "The largest blob an upload may grow to, in bytes (default 17179869184, 16 GiB).")
        var maxBlobBytes: Int64?

        func validate() throws {
            if htpasswd != nil && user != nil { throw ValidationError("give --htpasswd or --user, not both") }
            if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
            _ = try Self.address(listen)
        }

        func run() async throws {
            do {
                let (host, port) = try Self.address(listen)
                let storage = try RegistryStorage(root: root)
                let lock = try storage.lock(exclusive: false)
                defer { close(lock) }
                var credentials: BasicCredentials?
                if let htpasswd {
                    credentials = try BasicCredentials.htpasswd(htpasswd)
                } else if let user {
                    credentials = try BasicCredentials.user(user)
                }
                let tls = tlsCert.flatMap { cert in tlsKey.map { RegistryServer.TLSFiles(certificate: cert, key: $0) } }
                var server = RegistryServer(
                    storage: storage, listen: .init(host: host, port: port), credentials: credentials, tls: tls)
                if let maxBlobBytes {
                    guard maxBlobBytes > 0 else { throw ValidationError("--max-blob-bytes must be a positive number of bytes") }
                    server.maxBlobBytes = maxBlobBytes
                }
                let scheme = tls == nil ? "http" : "https"
                let application = try server.application { bound in
                    let line = "registry listening on \(host):\(bound) (\(scheme)); root \(storage.root)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
                try await application.runService()
            } catch {
                FileHandle.standardError.write(Data("corral registry serve: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }

        /// `HOST:PORT` split, the port checked.
        static func address(_ text: String) throws -> (String, Int) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
            else { throw ValidationError("--listen wants ADDR:PORT (e.g. 127.0.0.1:5000), got '\(text)'") }
            return (String(text[..<colon]), port)
        }
    }

    /// `corral registry gc`.
    struct GarbageCollect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Remove manifests no tag reaches and blobs no kept manifest names (the server must be stopped).",
            discussion: "Example: corral registry gc --root /var/lib/corral/registry --dry-run"
        )

        @Option(name: .long, help: "The registry's directory.")
        var root = RegistryCommand.defaultRoot
        @Flag(name: .customLong("dry-run"), help: "Only report what would be removed.")
        var dryRun = false

        func run() throws {
            do {
                guard FileManager.default.fileExists(atPath: root + "/blobs/sha256") else {
                    throw RegistryError(.nameUnknown, "no registry at \(root) (it has no blobs/sha256); give the --root the server used")
                }
                let report = try RegistryGarbageCollector.collect(try RegistryStorage(root: root), dryRun: dryRun)
                let verb = dryRun ? "would remove" : "removed"
                for manifest in report.manifests { print("\(verb) manifest \(manifest)") }
                for blob in report.blobs { print("\(verb) blob sha256:\(blob)") }
                print(
                    "\(verb) \(report.manifests.count) manifests, \(report.links) blob links, \(report.blobs.count) blobs "
                        + "(\(report.bytes) bytes), \(report.uploads) uploads")
            } catch {
                FileHandle.standardError.write(Data("corral registry gc: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
