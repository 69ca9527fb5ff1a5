import CorralContainer
import CorralModel
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// A task's URIs land in its sandbox: copied, downloaded, made executable, extracted, cached.
@Suite struct UriFetcherTests {
    struct Fixture {
        let scratch: ScratchDirectory
        var sandbox: String { scratch.path + "/sandbox" }
        var fetcher: UriFetcher { UriFetcher(cacheDirectory: scratch.path + "/cache", timeout: 10) }

        init() throws {
            scratch = try ScratchDirectory(prefix: "corral-fetch")
            try FileManager.default.createDirectory(atPath: scratch.path + "/sandbox", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: scratch.path + "/source/dir", withIntermediateDirectories: true)
            try "#!/bin/sh\necho run\n".write(toFile: scratch.path + "/source/run.sh", atomically: true, encoding: .utf8)
            try "inside".write(toFile: scratch.path + "/source/dir/file.txt", atomically: true, encoding: .utf8)
            try Self.shell("tar -C \(scratch.path)/source -czf \(scratch.path)/bundle.tar.gz dir")
        }

        static func shell(_ command: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            try process.runWithoutInheritedFiles()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw FixtureFailure("`\(command)` exited with \(process.terminationStatus)") }
        }

        func text(_ name: String) -> String? { try? String(contentsOfFile: "\(sandbox)/\(name)", encoding: .utf8) }
    }

    func failure(_ body: () throws(FetchError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return error.description
        }
    }

    @Test func localFilesAreCopiedMadeExecutableAndArchivesExtracted() throws {
        let fixture = try Fixture()
        defer { fixture.scratch.remove() }
        var script = CommandInfo.URI(value: fixture.scratch.path + "/source/run.sh", executable: true)
        script.outputFile = "tools/run"
        let bundle = CommandInfo.URI(value: "file://" + fixture.scratch.path + "/bundle.tar.gz")
        try fixture.fetcher.fetch([script, bundle], into: fixture.sandbox)
        #expect(FileManager.default.isExecutableFile(atPath: fixture.sandbox + "/tools/run"))
        #expect(fixture.text("dir/file.txt") == "inside")
        #expect(FileManager.default.fileExists(atPath: fixture.sandbox + "/bundle.tar.gz"))
        let kept = CommandInfo.URI(value: fixture.scratch.path + "/bundle.tar.gz", extract: false)
        try FileManager.default.removeItem(atPath: fixture.sandbox + "/dir")
        try fixture.fetcher.fetch([kept], into: fixture.sandbox)
        #expect(!FileManager.default.fileExists(atPath: fixture.sandbox + "/dir"))
    }

    @Test func aCachedURIIsReadFromTheCacheTheSecondTime() throws {
        let fixture = try Fixture()
        defer { fixture.scratch.remove() }
        var uri = CommandInfo.URI(value: fixture.scratch.path + "/source/dir/file.txt")
        uri.cache = true
        try fixture.fetcher.fetch([uri], into: fixture.sandbox)
        try FileManager.default.removeItem(atPath: fixture.scratch.path + "/source/dir/file.txt")
        let second = fixture.sandbox + "/again"
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        try fixture.fetcher.fetch([uri], into: second)
        #expect((try? String(contentsOfFile: second + "/file.txt", encoding: .utf8)) == "inside")
    }

    @Test func badURIsAreRefusedWithTheirReason() throws {
        let fixture = try Fixture()
        defer { fixture.scratch.remove() }
        let fetcher = fixture.fetcher
        let sandbox = fixture.sandbox
        var escaping = CommandInfo.URI(value: fixture.scratch.path + "/source/run.sh")
        escaping.outputFile = "../outside"
        #expect(failure { () throws(FetchError) in try fetcher.fetch([escaping], into: sandbox) }?.contains("output_file") == true)
        #expect(failure { () throws(FetchError) in
            try fetcher.fetch([CommandInfo.URI(value: "hdfs://nn/file")], into: sandbox)
        }?.contains("only local paths") == true)
        #expect(failure { () throws(FetchError) in
            try fetcher.fetch([CommandInfo.URI(value: "/no/such/file")], into: sandbox)
        }?.contains("does not exist") == true)
    }

    @Test func zipArchivesAreDownloadedAndExtracted() throws {
        let fixture = try Fixture()
        defer { fixture.scratch.remove() }
        try Fixture.shell("""
            cd \(fixture.scratch.path)/source && chmod 755 run.sh && python3 -c 'import zipfile, sys
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.write("dir/file.txt"); z.write("run.sh")' bundle.zip
            """)
        let server = try HTTPFileServer(directory: fixture.scratch.path + "/source")
        defer { server.stop() }
        try fixture.fetcher.fetch([CommandInfo.URI(value: "http://127.0.0.1:\(server.port)/bundle.zip")], into: fixture.sandbox)
        #expect(fixture.text("dir/file.txt") == "inside")
        #expect(fixture.text("run.sh") == "#!/bin/sh\necho run\n")
        #expect(FileManager.default.isExecutableFile(atPath: fixture.sandbox + "/run.sh"), "the zip's mode 755 is kept")
        #expect(FileManager.default.fileExists(atPath: fixture.sandbox + "/bundle.zip"))
    }

    @Test func httpURLsAreDownloadedAndErrorStatusesFail() throws {
        let fixture = try Fixture()
        defer { fixture.scratch.remove() }
        let server = try HTTPFileServer(directory: fixture.scratch.path + "/source")
        defer { server.stop() }
        try fixture.fetcher.fetch([CommandInfo.URI(value: "http://127.0.0.1:\(server.port)/run.sh")], into: fixture.sandbox)
        #expect(fixture.text("run.sh") == "#!/bin/sh\necho run\n")
        let fetcher = fixture.fetcher
        let sandbox = fixture.sandbox
        let missing = failure { () throws(FetchError) in
            try fetcher.fetch([CommandInfo.URI(value: "http://127.0.0.1:\(server.port)/missing")], into: sandbox)
        }
        #expect(missing?.contains("404") == true, "\(missing ?? "no error")")
    }
}

/// Python's `http.server` on a free loopback port, serving a directory.
final class HTTPFileServer {
    let process = Process()
    let port: Int

    init(directory: String) throws {
        let portFile = directory + "/../port"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", """
            import http.server, functools, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.HTTPServer(("127.0.0.1", 0), handler)
            open(sys.argv[2] + ".tmp", "w").write(str(server.server_port))
            import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
            server.serve_forever()
            """, directory, portFile]
        process.standardError = FileHandle.nullDevice
        try process.runWithoutInheritedFiles()
        let deadline = ContinuousClock.now + .seconds(10)
        var found: Int?
        while found == nil, ContinuousClock.now < deadline {
            found = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureFailure("python3 http.server did not start within 10 s")
        }
        port = found
    }

    /// SIGKILL: the test process may hand its children a mask that blocks SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
