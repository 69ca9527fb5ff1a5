import CorralSecurity
import Foundation

extension LocalQuorum {
    /// The name of master `id`'s certificate in a directory made by `makeCertificates`.
    static func certificateName(member id: UInt64) -> String { "master-\(id)" }

    /// The TLS files of master `id` in a directory made by `makeCertificates`.
    static func tlsFiles(directory: String, member id: UInt64) -> TLSFiles {
        .issued(directory: directory, name: certificateName(member: id))
    }

    /// The files of the client in a directory made by `makeCertificates`.
    static func clientTLSFiles(directory: String) -> TLSFiles { .issued(directory: directory, name: "client") }

    /// Makes a throw-away development CA in `directory` (which must not hold one yet) and
    /// issues, for 127.0.0.1, a certificate for each of `count` masters and one for a client.
    static func makeCertificates(directory: String, count: Int) throws {
        let ca = try DevelopmentCA.create(in: directory, name: "corral local quorum CA", days: 1)
        for id in 1...UInt64(count) {
            _ = try ca.issue(name: certificateName(member: id), hosts: ["127.0.0.1"], days: 1)
        }
        _ = try ca.issue(name: "client", hosts: ["127.0.0.1"], days: 1)
    }
}
