import CorralTestSupport
import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// A real `docker-registry` (distribution 2.x) on 127.0.0.1 with a port the kernel chose and its
/// storage under `directory`; `stop()` kills it.
final class DockerRegistryProcess {
    static let binary = "/usr/bin/docker-registry"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let process = Process()
    /// `127.0.0.1:<port>`.
    let address: String

    /// Starts a registry under `directory`; with `htpasswd` (a bcrypt htpasswd file) it wants
    /// HTTP basic credentials.
    init(directory: String, htpasswd: String? = nil) throws {
        var config = """
            version: 0.1
            log:
              level: info
            storage:
              filesystem:
                rootdirectory: \(directory)/data
            http:
              addr: 127.0.0.1:0
              secret: corral-test
            """
        if let htpasswd {
            config += "\nauth:\n  htpasswd:\n    realm: corral-test\n    path: \(htpasswd)\n"
        }
        try Syscall.writeAtomically(Array(config.utf8), to: directory + "/config.yml")
        let log = directory + "/registry.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", directory + "/config.yml"]
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.runWithoutInheritedFiles()
        address = try awaitListening(process, log: log, what: "docker-registry")
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// `Tests/CorralContainerTests/RegistryDouble/registry_double.py`: a test double of a registry
/// (and token server) serving one OCI layout, which can corrupt or cut off a blob on purpose.
final class RegistryDoubleProcess {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RegistryDouble/registry_double.py").path

    let process = Process()
    /// `127.0.0.1:<port>`.
    let address: String
    /// Every request the double saw, one `METHOD PATH RANGE` line each.
    let log: String

    init(layout: String, repository: String, arguments: [String] = [], scratch: String) throws {
        log = scratch + "/double.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script, "--layout", layout, "--repo", repository, "--log", log] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.runWithoutInheritedFiles()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ContainerError(.io, "the registry double did not start", cause: line)
        }
        address = "127.0.0.1:\(port)"
    }

    /// The requests seen so far.
    func requests() throws -> [String] {
        String(decoding: try Syscall.readFile(log), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A real `corral registry serve` on 127.0.0.1 with a port the kernel chose, its storage under
/// `directory`, serving HTTPS with `tls` (certificate and key files) when given; `stop()` kills it.
final class CorralRegistryProcess {
    let process = Process()
    /// `127.0.0.1:<port>`.
    let address: String

    init(directory: String, tls: (certificate: String, key: String)? = nil) throws {
        let log = directory + "/corral-registry.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: try CorralBinary.locate())
        process.arguments =
            ["registry", "serve", "--listen", "127.0.0.1:0", "--root", directory + "/registry"]
            + (tls.map { ["--tls-cert", $0.certificate, "--tls-key", $0.key] } ?? [])
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.runWithoutInheritedFiles()
        address = try awaitListening(process, log: log, what: "corral registry serve")
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// The `127.0.0.1:<port>` a registry process writes to `log` in a "listening on" line, waited for
/// up to 20 s; the process is killed and the log quoted when none comes (or it exits first).
private func awaitListening(_ process: Process, log: String, what: String) throws -> String {
    for _ in 0..<400 where process.isRunning {
        let text = String(decoding: try Syscall.readFile(log), as: UTF8.self)
        if let range = text.range(of: #"listening on 127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
            return String(text[range].dropFirst("listening on ".count))
        }
        usleep(50_000)
    }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    throw ContainerError(.io, "\(what) did not start", cause: (try? String(decoding: Syscall.readFile(log), as: UTF8.self)) ?? "")
}
