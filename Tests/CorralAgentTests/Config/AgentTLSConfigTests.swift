import CorralSecurity
import Foundation
import Testing

@testable import CorralAgent

/// The agent's `[tls]` settings and the masters' scheme: a cluster is HTTPS or plain HTTP throughout.
@Suite struct AgentTLSConfigTests {
    let machine = MachineResources(cpus: 4, memoryBytes: 8 << 30, diskFreeBytes: 50 << 30)

    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Configs/three-node-tls/agent.toml").path

    @Test func theShippedTLSAgentReachesHTTPSMastersWithItsCertificate() throws {
        let config = try AgentConfig(settings: try AgentSettings.load(path: Self.shipped), machine: machine)
        try config.validate()
        #expect(config.masters.map(\.description) == ["127.0.0.1:5051", "127.0.0.1:5052", "127.0.0.1:5053"])
        #expect(config.tls == TLSFiles.issued(directory: ".corral/three-node-tls/certs", name: "agent-1"))
    }

    @Test func flagsOverTheFileAndBareMastersMeanHTTPSWithACertificate() throws {
        let file = try AgentSettings.parse("masters = \"127.0.0.1:5051\"\nwork_dir = \"/w\"\n[tls]\ncertificate = \"a.pem\"\nkey = \"a-key.pem\"\n")
        let config = try AgentConfig(settings: file.overriding(with: AgentSettings(tlsCA: "ca.pem")), machine: machine)
        #expect(config.tls == TLSFiles(certificate: "a.pem", key: "a-key.pem", ca: "ca.pem"))
        #expect(try AgentConfig(settings: AgentSettings(masters: "127.0.0.1:5051", workDirectory: "/w"), machine: machine).tls == nil)
    }

    @Test(arguments: [
        ("https://a:5051", nil, "tls.certificate", "masters are https://"),
        ("http://a:5051", "a.pem", "masters", "write them https://"),
        ("https://a:5051,http://b:5051", "a.pem", "masters", "mixes http:// and https://"),
        ("a:5051", "only-cert", "tls.key", "both a certificate and its key"),
    ] as [(String, String?, String, String)])
    func aMismatchIsRefusedNamingTheField(masters: String, certificate: String?, field: String, says: String) {
        let settings = AgentSettings(
            masters: masters, workDirectory: "/w", tlsCertificate: certificate == "only-cert" ? "a.pem" : certificate,
            tlsKey: certificate == "only-cert" ? nil : certificate.map { _ in "a-key.pem" })
        let error = #expect(throws: AgentConfigError.self) { try AgentConfig(settings: settings, machine: machine) }
        #expect(error?.field == field && "\(error!)".contains(says), "\(String(describing: error))")
    }

    @Test func anUnknownTLSKeyIsATypo() {
        let error = #expect(throws: AgentConfigError.self) {
            try AgentSettings.parse("masters = \"a:5051\"\n[tls]\ncert = \"a.pem\"\n")
        }
        #expect(error?.field.hasSuffix("tls.cert") == true, "\(String(describing: error))")
    }
}
