import CorralSecurity
import CorralTestSupport
import Foundation
import Testing

/// `TLSIdentity`: loads a node's PEM files, says plainly which one is wrong, and picks up
/// re-issued files without a restart.
struct TLSIdentityTests {
    @Test func loadsIssuedFilesAndReloadsWhenTheyAreReplaced() throws {
        let scratch = try ScratchDirectory(prefix: "corral-tls")
        defer { scratch.remove() }
        let ca = try DevelopmentCA.create(in: scratch.path, name: "test CA", days: 2)
        _ = try ca.issue(name: "node", hosts: ["127.0.0.1"], days: 1)
        let identity = try TLSIdentity(files: .issued(directory: scratch.path, name: "node"))
        let first = try identity.serverContext(requireClientCertificate: true)
        #expect(try identity.reloadIfChanged() == false)
        #expect(try identity.serverContext(requireClientCertificate: true) === first)
        // Rotate: a new certificate and key replace the files (rename, as deployment tools do),
        // dated later; the next context is built from the new files.
        let (certificate, key) = try ca.issue(name: "node-rotated", hosts: ["127.0.0.1"], days: 1)
        let later = Date().addingTimeInterval(5)
        for (from, to) in [(certificate, scratch.path + "/node.pem"), (key, scratch.path + "/node-key.pem")] {
            try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: from)
            #expect(rename(from, to) == 0)
        }
        #expect(try identity.serverContext(requireClientCertificate: true) !== first)
        #expect(try identity.reloadIfChanged() == false)
    }

    @Test func missingOrBrokenFilesAreNamed() throws {
        let scratch = try ScratchDirectory(prefix: "corral-tls")
        defer { scratch.remove() }
        let missing = #expect(throws: CertificateError.self) {
            try TLSIdentity(files: TLSFiles(certificate: scratch.path + "/none.pem", key: scratch.path + "/none-key.pem"))
        }
        #expect(missing?.description.contains("none.pem' does not exist") == true, "\(String(describing: missing))")
        try "not a certificate".write(toFile: scratch.path + "/bad.pem", atomically: true, encoding: .utf8)
        let broken = #expect(throws: CertificateError.self) { try TLSIdentity(files: TLSFiles(ca: scratch.path + "/bad.pem")) }
        #expect(broken?.description.contains("bad.pem") == true, "\(String(describing: broken))")
        // A client-only identity cannot serve, and says what to do.
        _ = try DevelopmentCA.create(in: scratch.path + "/ca", name: "test CA", days: 2)
        let client = try TLSIdentity(files: TLSFiles(ca: scratch.path + "/ca/ca.pem"))
        let serve = #expect(throws: CertificateError.self) { try client.serverConfiguration(requireClientCertificate: false) }
        #expect(serve?.description.contains("corral certs issue") == true)
        _ = try client.clientContext()
    }
}
