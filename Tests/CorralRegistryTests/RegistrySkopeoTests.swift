import CorralRegistry
import CorralTestSupport
import Foundation
import Testing

@testable import CorralContainer

/// Interoperability with skopeo (Debian's, in APT_PACKAGES): push an OCI layout into the
/// registry, copy it between repositories, pull it back, and compare digests.
@Suite(.offCooperativePool) struct RegistrySkopeoTests {
    static let skopeo = "/usr/bin/skopeo"

    @Test func skopeoPushesAndPullsBack() async throws {
        let scratch = try ScratchDirectory(prefix: "corral-registry-skopeo")
        defer { scratch.remove() }
        let rootfs = scratch.path + "/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/etc", withIntermediateDirectories: true)
        try Data("hello from corral\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/motd"))
        try Data(RegistryHarness.bytes(200_000, seed: 30)).write(to: URL(fileURLWithPath: rootfs + "/blob.bin"))
        let source = scratch.path + "/source"
        try RootfsLayoutWriter(rootfs: rootfs, layout: source).write(name: "v1", config: .rootfsDefault)
        let sourceManifest = try Self.manifestDigest(source)

        try await RegistryHarness.with(credentials: try BasicCredentials.user("pusher:pw")) { registry in
            let remote = "docker://127.0.0.1:\(registry.port)"
            let common = ["--insecure-policy"]
            var result = try RunTool.run(
                Self.skopeo,
                common + ["copy", "--dest-tls-verify=false", "--dest-creds", "pusher:pw", "oci:\(source):v1", "\(remote)/corral/demo:v1"])
            #expect(result.status == 0, "\(result.output)")
            result = try RunTool.run(
                Self.skopeo,
                common + [
                    "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds", "pusher:pw", "--dest-creds", "pusher:pw",
                    "\(remote)/corral/demo:v1", "\(remote)/mirror/demo:latest",
                ])
            #expect(result.status == 0, "\(result.output)")
            let pulled = scratch.path + "/pulled"
            result = try RunTool.run(
                Self.skopeo,
                common + ["copy", "--src-tls-verify=false", "--src-creds", "pusher:pw", "\(remote)/mirror/demo:latest", "oci:\(pulled):back"])
            #expect(result.status == 0, "\(result.output)")
            #expect(try Self.manifestDigest(pulled) == sourceManifest)
            // What came back is an image Corral's own store takes, with the file that went out.
            let store = try ImageStore(root: scratch.path + "/store")
            let imported = try store.importImage(from: pulled, name: "back")
            #expect(imported.map(\.digest.description) == [sourceManifest])
            let layer = try #require(try store.inspect("back").layers.first)
            #expect(try String(contentsOfFile: layer.directory + "/etc/motd", encoding: .utf8) == "hello from corral\n")
            let inspected = try RunTool.run(
                Self.skopeo, common + ["inspect", "--tls-verify=false", "--creds", "pusher:pw", "--format", "{{.Digest}}", "\(remote)/corral/demo:v1"])
            #expect(inspected.output.trimmingCharacters(in: .whitespacesAndNewlines) == sourceManifest)
            let tags = try RunTool.run(Self.skopeo, common + ["list-tags", "--tls-verify=false", "--creds", "pusher:pw", "\(remote)/corral/demo"])
            #expect(tags.output.contains("\"v1\""), "\(tags.output)")
            // Without credentials skopeo is turned away.
            let refused = try RunTool.run(Self.skopeo, common + ["inspect", "--tls-verify=false", "\(remote)/corral/demo:v1"])
            #expect(refused.status != 0)
        }
    }

    @Test func skopeoPushesOverTLS() async throws {
        let scratch = try ScratchDirectory(prefix: "corral-registry-tls")
        defer { scratch.remove() }
        let (cert, key) = (scratch.path + "/cert.pem", scratch.path + "/key.pem")
        let made = try RunTool.run(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert])
        #expect(made.status == 0, "\(made.output)")
        let rootfs = scratch.path + "/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs, withIntermediateDirectories: true)
        try Data("tls\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/file"))
        let source = scratch.path + "/source"
        try RootfsLayoutWriter(rootfs: rootfs, layout: source).write(name: "v1", config: .rootfsDefault)

        try await RegistryHarness.with(tls: .init(certificate: cert, key: key)) { registry in
            let remote = "docker://127.0.0.1:\(registry.port)/secure/app:v1"
            let pushed = try RunTool.run(Self.skopeo, ["--insecure-policy", "copy", "--dest-tls-verify=false", "oci:\(source):v1", remote])
            #expect(pushed.status == 0, "\(pushed.output)")
            let inspected = try RunTool.run(
                Self.skopeo, ["--insecure-policy", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", remote])
            #expect(inspected.output.trimmingCharacters(in: .whitespacesAndNewlines) == (try Self.manifestDigest(source)))
            // Plain HTTP gets no registry answer from a TLS port.
            let plain = try? await RegistryHarness.send(.GET, "http://127.0.0.1:\(registry.port)/v2/")
            #expect(plain?.status != 200)
        }
    }

    /// The digest of the one manifest `index.json` of the layout at `layout` lists.
    static func manifestDigest(_ layout: String) throws -> String {
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))) as? [String: Any]
        let manifests = try #require(index?["manifests"] as? [[String: Any]])
        #expect(manifests.count == 1)
        return try #require(manifests.first?["digest"] as? String)
    }
}
