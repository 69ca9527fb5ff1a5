import ArgumentParser
import CorralSecurity

/// How a command that speaks the binary client protocol (on the masters' Raft port) reaches
/// masters that run TLS: the cluster's CA, and the certificate and key this client presents
/// (TLS masters refuse clients without a certificate from their CA).
struct RaftClientTLSOptions: ParsableArguments {
    @Option(help: "PEM certificate this client presents to TLS masters (corral certs issue --dir DIR NAME --host ... makes one).")
    var tlsCert: String?
    @Option(help: "The private key of --tls-cert.") var tlsKey: String?
    @Option(help: "The cluster's CA certificate: the masters' certificates must be issued by it.") var tlsCa: String?

    /// Whether any TLS option was given.
    var given: Bool { tlsCert != nil || tlsKey != nil || tlsCa != nil }

    /// The identity to connect with, or nil for plain TCP (no TLS option given).
    func identity() throws -> TLSIdentity? {
        guard given else { return nil }
        guard let tlsCa else {
            throw ValidationError("--tls-ca is needed with --tls-cert/--tls-key: the CA that issued the masters' certificates")
        }
        guard let tlsCert, let tlsKey else {
            throw ValidationError("TLS masters need a client certificate: give --tls-cert and --tls-key (corral certs issue makes them)")
        }
        do {
            return try TLSIdentity(files: TLSFiles(certificate: tlsCert, key: tlsKey, ca: tlsCa))
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
