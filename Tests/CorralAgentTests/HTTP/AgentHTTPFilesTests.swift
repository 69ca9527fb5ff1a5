import CorralModel
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// `/files`: sandboxes are served, nothing else is.
@Suite(.offCooperativePool) struct AgentHTTPFilesTests {
    static func query(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? path
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func aSandboxCanBeBrowsedReadAndDownloaded(_ transport: AgentHTTPTransport) async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            // The directory as GET /state gives it.
            let browse = try await client.get("/files/browse?path=\(Self.query(sandbox))")
            #expect(browse.status == 200)
            let entries = browse.json as? [[String: Any]] ?? []
            #expect(entries.compactMap { $0["path"] as? String } == ["binary", "escape", "escape-file", "stdout", "sub"].map { sandbox + "/" + $0 })
            let stdout = entries.first { ($0["path"] as? String)?.hasSuffix("/stdout") == true }
            #expect(stdout?["size"] as? Int == AgentHTTPFixture.stdout.utf8.count)
            #expect((stdout?["mode"] as? String)?.hasPrefix("-rw") == true)

            let read = try await client.get("/files/read?path=\(Self.query(sandbox + "/stdout"))&offset=6&length=8")
            #expect(read.status == 200)
            #expect(read.object["data"] as? String == "from t1\n")
            #expect(read.object["offset"] as? Int == 6)
            let size = try await client.get("/files/read?path=\(Self.query(sandbox + "/stdout"))")
            #expect(size.object["offset"] as? Int == AgentHTTPFixture.stdout.utf8.count)
            #expect(size.object["data"] as? String == "")
            // Mesos's virtual path for the same directory.
            let virtual = try await client.get("/files/read.json?path=/frameworks/f1/executors/t1/runs/latest/stdout&offset=0")
            #expect(virtual.object["data"] as? String == AgentHTTPFixture.stdout)

            let download = try await client.get("/files/download?path=\(Self.query(sandbox + "/binary"))")
            #expect(download.status == 200)
            #expect(download.body == [0, 1, 2, 0xFF, 0xFE])
            #expect(download.headers["content-type"] == "application/octet-stream")
            #expect(download.headers["content-disposition"] == "attachment; filename=\"binary\"")

            let debug = try await client.get("/files/debug").object as? [String: String]
            #expect(debug?["/frameworks/f1/executors/t1/runs/latest"] == sandbox)
            #expect(debug?[sandbox] == sandbox)
        }
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func escapesAreForbiddenAndBadRequestsSayWhy(_ transport: AgentHTTPTransport) async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            for endpoint in ["browse", "read", "download"] {
                let dotdot = try await client.get("/files/\(endpoint)?path=\(Self.query(sandbox + "/../../../../../../secret/key"))")
                #expect(dotdot.status == 403, "\(endpoint) with ..")
                #expect(dotdot.message.contains(".."))
                let link = endpoint == "browse" ? "/escape" : "/escape-file"
                let symlink = try await client.get("/files/\(endpoint)?path=\(Self.query(sandbox + link))")
                #expect(symlink.status == 403, "\(endpoint) through a symlink")
                #expect(symlink.message.contains("symbolic link"))
                #expect(!symlink.text.contains("do not read"))
                let outside = try await client.get("/files/\(endpoint)?path=\(Self.query(fixture.outside + "/key"))")
                #expect(outside.status == 404, "\(endpoint) of a path in no sandbox")
                let noPath = try await client.get("/files/\(endpoint)")
                #expect(noPath.status == 400)
                #expect(noPath.message.contains("path"))
            }
            let notFound = try await client.get("/files/read?path=\(Self.query(sandbox + "/nothing"))&offset=0")
            #expect(notFound.status == 404)
            let badOffset = try await client.get("/files/read?path=\(Self.query(sandbox + "/stdout"))&offset=ten")
            #expect(badOffset.status == 400)
            #expect(badOffset.message.contains("offset"))
            let directory = try await client.get("/files/download?path=\(Self.query(sandbox))")
            #expect(directory.status == 400)
        }
    }
}
