import ArgumentParser
import CorralSecurity
import Foundation

/// `corral certs`: a development CA and the node certificates of a TLS cluster.
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make a development CA and certificates for masters, agents, registries and clients.",
        discussion: """
            Example:
              corral certs init --dir certs
              corral certs issue --dir certs master-1 --host 127.0.0.1 --host master-1.example
            The CA's key stays in its directory (ca-key.pem, mode 0600): keep it there, off the nodes.
            """,
        subcommands: [Initialize.self, Issue.self]
    )

    /// `corral certs init`.
    struct Initialize: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init", abstract: "Make a CA: <dir>/ca.pem and <dir>/ca-key.pem (refuses to replace one).",
            discussion: "Example: corral certs init --dir certs --name 'Corral test CA'")

        @Option(help: "The directory for the CA and the certificates it issues.") var dir: String
        @Option(help: "The CA's common name.") var name = "Corral development CA"
        @Option(help: "Days the CA is valid.") var days = 3650

        func run() throws {
            do {
                let ca = try DevelopmentCA.create(in: dir, name: name, days: days)
                print("CA \(name): \(DevelopmentCA.certificatePath(ca.directory)) (key \(DevelopmentCA.keyPath(ca.directory)))")
            } catch let error as CertificateError {
                FileHandle.standardError.write(Data("corral certs init: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }

    /// `corral certs issue`.
    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Issue <dir>/<name>.pem (with the CA's certificate after it) and <dir>/<name>-key.pem for TLS servers and clients.",
            discussion: "Example: corral certs issue --dir certs master-1 --host 127.0.0.1 --host master-1.example")

        @Option(help: "The CA's directory (from corral certs init).") var dir: String
        @Option(name: .customLong("host"), help: "A DNS name or IP address the node is reached by (repeatable).")
        var hosts: [String] = []
        @Option(help: "Days the certificate is valid.") var days = 365
        @Argument(help: "The certificate's name (its common name and file name), e.g. master-1.") var name: String

        func run() throws {
            do {
                let ca = try DevelopmentCA.load(from: dir)
                let (certificate, key) = try ca.issue(name: name, hosts: hosts, days: days)
                print("\(name): \(certificate) (key \(key)) for \(hosts.joined(separator: ", "))")
            } catch let error as CertificateError {
                FileHandle.standardError.write(Data("corral certs issue: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
