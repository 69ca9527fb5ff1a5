import CorralContainer
import CorralRegistry
import CorralTestSupport
import Foundation
import Glibc
import Testing

/// A `corral registry serve` child process on 127.0.0.1, port chosen by the system.
final class RegistryProcess {
    let process = Process()
    private(set) var port = 0

    /// Starts the built `corral` binary serving `root` and waits for its "listening" line.
    init(root: String, scratch: String, environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: try CorralBinary.locate())
        process.arguments = ["registry", "serve", "--listen", "127.0.0.1:0", "--root", root]
        if let environment { process.environment = environment }
        let stdout = Pipe()
        process.standardOutput = stdout
        let log = scratch + "/registry-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.runWithoutInheritedFiles()
        var text = ""
        while !text.contains("\n") {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "127.0.0.1:"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            kill9()
            throw RawHTTP.Failure(description: "corral registry serve did not report its port: '\(text)'")
        }
        self.port = port
    }

    /// Ends it with SIGKILL, as a crash would, and reaps it.
    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { kill9() }
}

/// Crash safety with a real server process killed by SIGKILL in the middle of uploads.
@Suite(.offCooperativePool) struct RegistryCrashTests {
    @Test func killedMidUploadLeavesNoBlobAndTheUploadResumes() async throws {
        let scratch = try ScratchDirectory(prefix: "corral-registry-crash")
        defer { scratch.remove() }
        let root = scratch.path + "/root"
        let layer = RegistryHarness.bytes(300_000, seed: 20)
        let digest = RegistryHarness.digest(layer)
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let manifest = RegistryHarness.manifest(config: config, layers: [layer])

        var server = try RegistryProcess(root: root, scratch: scratch.path)
        var base = "http://127.0.0.1:\(server.port)"
        #expect(try await RegistryHarness.send(.POST, base + "/v2/app/blobs/uploads/?digest=\(RegistryHarness.digest(config))", body: config).status == 201)
        let location = try #require(try await RegistryHarness.send(.POST, base + "/v2/app/blobs/uploads/").header("Location"))
        let id = String(location.split(separator: "/").last ?? "")
        let first = try await RegistryHarness.send(
            .PATCH, base + location, headers: ["Content-Range": "0-99999"], body: Array(layer[..<100_000]))
        #expect(first.status == 202)

        // A chunk of 200,000 bytes of which 50,000 arrive, and a whole-blob upload cut at half.
        let chunk = try RawHTTP.connect(port: server.port)
        defer { close(chunk) }
        try RawHTTP.send(
            chunk,
            Array("PATCH \(location) HTTP/1.1\r\nHost: x\r\nContent-Range: 100000-299999\r\nContent-Length: 200000\r\n\r\n".utf8)
                + layer[100_000..<150_000])
        let monolithic = try RawHTTP.connect(port: server.port)
        defer { close(monolithic) }
        try RawHTTP.send(
            monolithic,
            Array("POST /v2/app/blobs/uploads/?digest=\(digest) HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n".utf8)
                + layer[..<150_000])
        try await RegistryHarness.waitUntil("both uploads hold 150,000 bytes") {
            let sizes = try FileManager.default.contentsOfDirectory(atPath: root + "/uploads").filter { !$0.hasPrefix(".") }.map {
                (try? FileManager.default.attributesOfItem(atPath: root + "/uploads/\($0)/data")[.size] as? Int) ?? 0
            }
            return sizes.count == 2 && sizes.allSatisfy { $0 == 150_000 }
        }
        server.kill9()

        #expect(!FileManager.default.fileExists(atPath: root + "/blobs/sha256/" + digest.dropFirst(7)))
        try expectEveryBlobMatchesItsName(root)

        server = try RegistryProcess(root: root, scratch: scratch.path)
        base = "http://127.0.0.1:\(server.port)"
        #expect(try await RegistryHarness.send(.HEAD, base + "/v2/app/blobs/\(digest)").status == 404)
        let early = try await RegistryHarness.send(
            .PUT, base + "/v2/app/manifests/v1", headers: ["Content-Type": MediaType.ociManifest], body: manifest)
        #expect(early.errorCode == "MANIFEST_BLOB_UNKNOWN")

        // The chunked upload survived the crash with what had arrived, and finishes.
        let status = try await RegistryHarness.send(.GET, base + location)
        #expect(status.status == 204)
        #expect(status.header("Range") == "0-149999")
        #expect(status.header("Docker-Upload-UUID") == id)
        let rest = try await RegistryHarness.send(
            .PATCH, base + location, headers: ["Content-Range": "150000-299999"], body: Array(layer[150_000...]))
        #expect(rest.status == 202)
        #expect(try await RegistryHarness.send(.PUT, base + location + "?digest=\(digest)").status == 201)
        #expect(try await RegistryHarness.send(.GET, base + "/v2/app/blobs/\(digest)").body == layer)
        let pushed = try await RegistryHarness.send(
            .PUT, base + "/v2/app/manifests/v1", headers: ["Content-Type": MediaType.ociManifest], body: manifest)
        #expect(pushed.status == 201)
        server.kill9()
        try expectEveryBlobMatchesItsName(root)

        // The cut whole-blob upload is left in uploads/ until garbage collection removes it.
        let report = try RegistryGarbageCollector.collect(try RegistryStorage(root: root))
        #expect(report.uploads == 1)
        #expect(report.blobs.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/uploads").isEmpty)
    }

    /// What the registry acknowledged (201) survives a power loss right after, with every
    /// write that was not fsynced undone (the `CPowerLossDouble` journal): blobs, links, the
    /// manifest and its tag are all there and whole.
    @Test func acknowledgedPushesSurvivePowerLoss() async throws {
        let scratch = try ScratchDirectory(prefix: "corral-registry-power")
        defer { scratch.remove() }
        let root = scratch.path + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let journalPath = scratch.path + "/journal"
        let environment = PowerLossJournal.childEnvironment(
            double: try PowerLossJournal.locateDouble(), directory: root, journal: journalPath)
        let server = try RegistryProcess(root: root, scratch: scratch.path, environment: environment)
        let base = "http://127.0.0.1:\(server.port)"
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let layer = RegistryHarness.bytes(200_000, seed: 21)
        let manifest = RegistryHarness.manifest(config: config, layers: [layer])
        #expect(try await RegistryHarness.send(.POST, base + "/v2/app/blobs/uploads/?digest=\(RegistryHarness.digest(config))", body: config).status == 201)
        let location = try #require(try await RegistryHarness.send(.POST, base + "/v2/app/blobs/uploads/").header("Location"))
        #expect(try await RegistryHarness.send(.PATCH, base + location, body: Array(layer[..<120_000])).status == 202)
        let closed = try await RegistryHarness.send(
            .PUT, base + location + "?digest=\(RegistryHarness.digest(layer))", body: Array(layer[120_000...]))
        #expect(closed.status == 201)
        let pushed = try await RegistryHarness.send(
            .PUT, base + "/v2/app/manifests/v1", headers: ["Content-Type": MediaType.ociManifest], body: manifest)
        #expect(pushed.status == 201)
        server.kill9()

        let journal = try PowerLossJournal(contentsOf: journalPath)
        #expect(journal.unmodeled.isEmpty, "the double could not model: \(journal.unmodeled)")
        // The double journals by path: a file renamed (into blobs/) with writes not yet synced
        // is a blob a power loss could leave short.
        let vanished = Set(journal.unsynced.map { journal.records[$0].path }).filter { !FileManager.default.fileExists(atPath: $0) }
        guard vanished.isEmpty else {
            Issue.record("files were renamed or removed before their writes were fsynced: \(vanished.sorted())")
            return
        }
        let copy = scratch.path + "/after-power-loss"
        try FileManager.default.copyItem(atPath: root, toPath: copy)
        try journal.losePower(undoing: Set(journal.unsynced), from: root, to: copy)
        try expectEveryBlobMatchesItsName(copy)
        try await RegistryHarness.with(root: copy) { registry in
            let fetched = try await registry.send(.GET, "/v2/app/manifests/v1")
            #expect(fetched.body == manifest)
            #expect(try await registry.send(.GET, "/v2/app/blobs/\(RegistryHarness.digest(layer))").body == layer)
            #expect(try await registry.send(.GET, "/v2/app/blobs/\(RegistryHarness.digest(config))").body == config)
        }
    }

    @Test func sigtermStopsTheServerAndFreesTheRoot() async throws {
        let scratch = try ScratchDirectory(prefix: "corral-registry-term")
        defer { scratch.remove() }
        let root = scratch.path + "/root"
        let server = try RegistryProcess(root: root, scratch: scratch.path)
        #expect(try await RegistryHarness.send(.GET, "http://127.0.0.1:\(server.port)/v2/").status == 200)
        // While it serves, garbage collection is refused.
        let refused = try RunTool.run(try CorralBinary.locate(), ["registry", "gc", "--root", root])
        #expect(refused.status != 0)
        #expect(refused.output.contains("being served"), "\(refused.output)")
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0)
        let collected = try RunTool.run(try CorralBinary.locate(), ["registry", "gc", "--root", root])
        #expect(collected.status == 0, "\(collected.output)")
        #expect(collected.output.contains("removed 0 manifests"), "\(collected.output)")
    }

    /// Every file under `blobs/sha256` hashes to its own name.
    private func expectEveryBlobMatchesItsName(_ root: String) throws {
        let directory = root + "/blobs/sha256"
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
            #expect(SHA256Hasher.hex(of: bytes) == name, "blob file \(name) holds other bytes")
        }
    }
}
