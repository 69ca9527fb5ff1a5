import CorralTestSupport
import Foundation
import Testing

@testable import CorralContainer

/// `corral image push` and `corral image pull` as a user runs them, against a real
/// `docker-registry` that wants htpasswd credentials.
@Suite(
    .enabled(
        if: DockerRegistryProcess.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/htpasswd")
            && FileManager.default.isExecutableFile(atPath: "/bin/busybox")))
struct RegistryCommandLineTests {
    static func corral(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let run = try CombinedOutput.corral(arguments, environment: environment)
        return (run.status, run.output)
    }

    @Test func pushWithCredentialsFromTheEnvironmentAndPullWithUser() throws {
        let temporary = try TemporaryDirectory("corral-registry-cli")
        defer { temporary.remove() }
        let htpasswd = temporary.path + "/htpasswd"
        try Syscall.writeAtomically(Array(try ImageTestSupport.run("/usr/bin/htpasswd", ["-Bbn", "ci", "pw"]).utf8), to: htpasswd)
        let registry = try DockerRegistryProcess(directory: temporary.path, htpasswd: htpasswd)
        defer { registry.stop() }
        let source = try RegistryRoundTripTests.storeWithBusybox(temporary)
        let reference = registry.address + "/tools/busybox:cli"

        let pushed = try Self.corral(
            ["image", "push", "--insecure", "--root", temporary.path + "/source", "busybox", reference],
            environment: ["CORRAL_REGISTRY_USER": "ci", "CORRAL_REGISTRY_PASSWORD": "pw"])
        let digest = try source.inspect("busybox").manifestDigest
        #expect(pushed.status == 0, "\(pushed.output)")
        #expect(pushed.output == "pushed \(reference) \(digest)\n")

        let target = ["--root", temporary.path + "/target"]
        let denied = try Self.corral(["image", "pull", "--insecure", reference] + target)
        #expect(denied.status == 1)
        #expect(denied.output.hasPrefix("corral image: error (registry): \(registry.address) needs credentials"), "\(denied.output)")

        let pulled = try Self.corral(["image", "pull", "--insecure", "--user", "ci:pw", "--name", "bb", reference] + target)
        #expect(pulled.status == 0, "\(pulled.output)")
        #expect(pulled.output == "pulled bb \(digest) (2 blobs fetched, 0 already present)\n", "no progress when stderr is no terminal")
        #expect(try Self.corral(["image", "ls"] + target).output.contains("bb"))

        let unnamed = try Self.corral(["image", "pull", "busybox:1.36"] + target)
        #expect(unnamed.status == 1)
        #expect(unnamed.output.contains("names no registry"), "\(unnamed.output)")
    }

    /// Corral's client and Corral's registry over HTTPS with a self-signed certificate: refused
    /// with a hint until the client trusts the certificate with `--ca-cert`.
    @Test func pushAndPullOverTLSTrustingTheRegistrysCertificate() throws {
        let temporary = try TemporaryDirectory("corral-registry-tls")
        defer { temporary.remove() }
        let (cert, key) = (temporary.path + "/cert.pem", temporary.path + "/key.pem")
        _ = try ImageTestSupport.run(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert])
        let registry = try CorralRegistryProcess(directory: temporary.path, tls: (cert, key))
        defer { registry.stop() }
        _ = try RegistryRoundTripTests.storeWithBusybox(temporary)
        let reference = registry.address + "/tools/busybox:tls"
        let source = ["--root", temporary.path + "/source"]

        let untrusted = try Self.corral(["image", "push", "busybox", reference] + source)
        #expect(untrusted.status == 1)
        #expect(untrusted.output.contains("cannot verify the TLS certificate of https://\(registry.address)/v2/"), "\(untrusted.output)")
        #expect(untrusted.output.contains("--ca-cert FILE"), "\(untrusted.output)")

        let pushed = try Self.corral(["image", "push", "--ca-cert", cert, "busybox", reference] + source)
        #expect(pushed.status == 0, "\(pushed.output)")
        let pulled = try Self.corral(
            ["image", "pull", "--ca-cert", cert, "--name", "bb", reference, "--root", temporary.path + "/target"])
        #expect(pulled.status == 0, "\(pulled.output)")
        #expect(pulled.output.hasPrefix("pulled bb sha256:"), "\(pulled.output)")
    }
}
