import CorralModel
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// `/files` against hostile paths: encoded traversal, absolute paths elsewhere, NUL bytes,
/// symlinks to `/` and to another task's sandbox, FIFOs, and a symlink swapped in after the
/// path was checked. Each is refused with a 4xx that says why, and nothing outside is read.
@Suite(.offCooperativePool) struct AgentHTTPFilesHostileTests {
    @Test(arguments: AgentHTTPTransport.allCases)
    func encodedAndAbsoluteEscapesAreRefused(_ transport: AgentHTTPTransport) async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            let cases: [(query: String, status: Int)] = [
                ("\(sandbox)/%2e%2e/%2e%2e/%2E%2E/secret/key", 403),
                ("\(sandbox)/sub/%2e%2e/%2e%2e/t2/stdout", 403),
                ("\(sandbox)%2F..%2F..%2Fsecret%2Fkey", 403),
                ("\(sandbox)/%252e%252e/stdout", 404),
                ("/etc/passwd", 404),
                ("/", 404),
                ("//etc//passwd", 404),
                ("\(sandbox)/stdout%00/../../secret/key", 400),
                ("\(sandbox)/stdout%00", 400),
                ("etc/passwd", 400),
            ]
            for (query, status) in cases {
                for endpoint in ["read", "browse", "download"] {
                    let reply = try await client.get("/files/\(endpoint)?path=\(query)&offset=0")
                    #expect(reply.status == status, "\(endpoint) \(query): \(reply.status) \(reply.text)")
                    #expect(!reply.message.isEmpty, "\(endpoint) \(query) says why")
                    #expect(!reply.text.contains("do not read") && !reply.text.contains("root:x:0"))
                }
            }
        }
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func symlinksToTheRootAndToAnotherTasksSandboxAreRefused(_ transport: AgentHTTPTransport) async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let t1 = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        let t2 = try #require(fixture.sandboxes[AgentHTTPFixture.t2])
        try Data("t2 private".utf8).write(to: URL(fileURLWithPath: t2 + "/stdout"))
        let manager = FileManager.default
        try manager.createSymbolicLink(atPath: t1 + "/root", withDestinationPath: "/")
        try manager.createSymbolicLink(atPath: t1 + "/neighbour", withDestinationPath: t2)
        try manager.createSymbolicLink(atPath: t1 + "/neighbour-file", withDestinationPath: "../../../t2/runs/latest/stdout")
        #expect(mkfifo(t1 + "/fifo", 0o644) == 0)
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            for path in ["/root/etc/passwd", "/root", "/neighbour/stdout", "/neighbour", "/neighbour-file"] {
                for endpoint in ["read", "browse", "download"] {
                    let reply = try await client.get("/files/\(endpoint)?path=\(AgentHTTPFilesTests.query(t1 + path))&offset=0")
                    #expect(reply.status == 403 || reply.status == 404, "\(endpoint) \(path): \(reply.status)")
                    #expect(!reply.text.contains("t2 private") && !reply.text.contains("root:x:0"), "\(endpoint) \(path)")
                }
            }
            // A FIFO would block a reader for ever: it is refused at once.
            let fifo = try await client.get("/files/read?path=\(AgentHTTPFilesTests.query(t1 + "/fifo"))&offset=0")
            #expect(fifo.status == 400 && fifo.message.contains("not a regular file"), "\(fifo.text)")
            // The other task's files are served by its own path.
            let own = try await client.get("/files/read?path=\(AgentHTTPFilesTests.query(t2 + "/stdout"))&offset=0")
            #expect(own.object["data"] as? String == "t2 private")
        }
    }

    /// A task that replaces a checked directory with a symlink before the agent opens the file
    /// gains nothing: what is opened is checked again.
    @Test func aSymlinkSwappedInAfterTheCheckIsCaughtWhenOpened() throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let t1 = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        let manager = FileManager.default
        try manager.createDirectory(atPath: t1 + "/swap", withIntermediateDirectories: true)
        try Data("harmless".utf8).write(to: URL(fileURLWithPath: t1 + "/swap/key"))
        let (file, root) = try fixture.files.resolved(t1 + "/swap/key")
        #expect(file == root + "/swap/key")
        // The swap: the directory becomes a link to the secret's directory.
        try manager.removeItem(atPath: t1 + "/swap")
        try manager.createSymbolicLink(atPath: t1 + "/swap", withDestinationPath: fixture.outside)
        #expect(throws: FilesError.self) { _ = try fixture.files.open(t1 + "/swap/key") }
        // The race lost by the check: the path resolved before the swap is opened after it.
        // The check on the opened descriptor refuses it.
        do {
            _ = try fixture.files.open(resolved: file, root: root, asked: t1 + "/swap/key")
            Issue.record("a file outside the sandbox was opened through a swapped-in symlink")
        } catch {
            #expect(error.code == .forbidden)
            #expect(error.message.contains("out of its sandbox"))
        }
    }
}
