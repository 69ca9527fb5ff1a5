import CorralSecurity
import CorralTestSupport
import Foundation
import Testing

/// `corral certs`: a CA and node certificates that OpenSSL accepts for TLS servers and
/// clients by the names and addresses they were issued for, and no others.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct DevelopmentCATests {
    static func openssl(_ arguments: [String]) throws -> CombinedOutput.Run {
        try CombinedOutput.run("/usr/bin/openssl", arguments)
    }

    @Test func anIssuedCertificateVerifiesForItsHostsAsServerAndClient() throws {
        let scratch = try ScratchDirectory(prefix: "corral-certs")
        defer { scratch.remove() }
        let directory = scratch.path + "/ca"
        let ca = try DevelopmentCA.create(in: directory, name: "test CA", days: 2)
        let (certificate, key) = try DevelopmentCA.load(from: directory)
            .issue(name: "master-1", hosts: ["127.0.0.1", "::1", "master-1.test"], days: 1)
        #expect(ca.certificate.subject.description.contains("test CA"))
        let caFile = DevelopmentCA.certificatePath(directory)
        for purpose in ["sslserver", "sslclient"] {
            let verified = try Self.openssl(["verify", "-CAfile", caFile, "-purpose", purpose, certificate])
            #expect(verified.status == 0 && verified.output.contains(": OK"), "\(purpose): \(verified.output)")
        }
        for (flag, value, expected) in [
            ("-verify_ip", "127.0.0.1", true), ("-verify_ip", "::1", true), ("-verify_hostname", "master-1.test", true),
            ("-verify_ip", "127.0.0.2", false), ("-verify_hostname", "master-2.test", false),
        ] {
            let verified = try Self.openssl(["verify", "-CAfile", caFile, flag, value, certificate])
            #expect((verified.status == 0) == expected, "\(flag) \(value): \(verified.output)")
        }
        // The key is the certificate's, and only its owner may read it.
        let fromKey = try Self.openssl(["pkey", "-in", key, "-pubout"])
        let fromCertificate = try Self.openssl(["x509", "-in", certificate, "-noout", "-pubkey"])
        #expect(fromKey.status == 0 && fromKey.output == fromCertificate.output, "\(fromKey.output)")
        for path in [key, DevelopmentCA.keyPath(directory)] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path)")
        }
        // A certificate is not a CA: what it signs is not trusted.
        let text = try Self.openssl(["x509", "-in", certificate, "-noout", "-text"])
        #expect(text.output.contains("CA:FALSE"), "\(text.output)")
    }

    @Test func badRequestsAreRefusedPlainly() throws {
        let scratch = try ScratchDirectory(prefix: "corral-certs")
        defer { scratch.remove() }
        let directory = scratch.path + "/ca"
        let missing = #expect(throws: CertificateError.self) { try DevelopmentCA.load(from: directory) }
        #expect(missing?.description.contains("corral certs init --dir DIR") == true, "\(String(describing: missing))")
        let ca = try DevelopmentCA.create(in: directory, name: "test CA", days: 2)
        let again = #expect(throws: CertificateError.self) { try DevelopmentCA.create(in: directory, name: "other", days: 2) }
        #expect(again?.description.contains("already exists") == true)
        #expect(throws: CertificateError.self) { try ca.issue(name: "n", hosts: [], days: 1) }
        let host = #expect(throws: CertificateError.self) { try ca.issue(name: "n", hosts: ["bad host!"], days: 1) }
        #expect(host?.description.contains("neither an IP address nor a DNS name") == true)
        #expect(throws: CertificateError.self) { try ca.issue(name: "../escape", hosts: ["a"], days: 1) }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/escape.pem"))
    }

    @Test func theCommandLineMakesACAAndACertificate() throws {
        let scratch = try ScratchDirectory(prefix: "corral-certs")
        defer { scratch.remove() }
        let directory = scratch.path + "/ca"
        let made = try CombinedOutput.corral(["certs", "init", "--dir", directory])
        #expect(made.status == 0 && made.output.hasPrefix("CA Corral development CA: \(directory)/ca.pem"), "\(made.output)")
        let issued = try CombinedOutput.corral(["certs", "issue", "--dir", directory, "agent-1", "--host", "127.0.0.1"])
        #expect(issued.status == 0, "\(issued.output)")
        let verified = try Self.openssl(["verify", "-CAfile", directory + "/ca.pem", "-verify_ip", "127.0.0.1", directory + "/agent-1.pem"])
        #expect(verified.status == 0, "\(verified.output)")
        let twice = try CombinedOutput.corral(["certs", "init", "--dir", directory])
        #expect(twice.status == 1 && twice.output.contains("already exists"), "\(twice.output)")
    }
}
