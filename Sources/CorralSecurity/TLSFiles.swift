import Foundation

/// The PEM files a node uses for TLS: its certificate chain and key (servers, and clients that
/// authenticate with a certificate) and the CA whose certificates it trusts.
///
/// A server needs `certificate` and `key`; with `ca` it also requires clients to present a
/// certificate issued by that CA (mutual TLS, as Raft peer links do). A client needs `ca` (or
/// trusts the system's roots when it is nil) and presents `certificate` when it is set.
public struct TLSFiles: Sendable, Hashable, Codable {
    /// The certificate chain, leaf first (`corral certs issue` writes the CA after it).
    public var certificate: String?
    /// The private key of `certificate`.
    public var key: String?
    /// The CA certificate(s) trusted for peers.
    public var ca: String?

    /// Files as named; each may be nil (see the type's documentation for what each side needs).
    public init(certificate: String? = nil, key: String? = nil, ca: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.ca = ca
    }

    /// The files `corral certs issue --dir DIR NAME` wrote: DIR/NAME.pem, DIR/NAME-key.pem, DIR/ca.pem.
    public static func issued(directory: String, name: String) -> TLSFiles {
        TLSFiles(certificate: "\(directory)/\(name).pem", key: "\(directory)/\(name)-key.pem", ca: "\(directory)/ca.pem")
    }

    /// Throws a `CertificateError` naming the problem when a server could not use these files:
    /// the certificate or key is missing.
    public func checkServer(_ role: String) throws {
        guard certificate != nil, key != nil else {
            throw CertificateError(
                "\(role) TLS needs a certificate and its key (PEM); make them with `corral certs issue --dir DIR NAME --host ADDRESS`")
        }
    }

    /// The paths that are set.
    var paths: [String] { [certificate, key, ca].compactMap { $0 } }
}
