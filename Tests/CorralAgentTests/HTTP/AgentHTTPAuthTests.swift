import CorralModel
import CorralSecurity
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// The agent's own API with `--credentials` and `--acls`: no credentials, 401 with the
/// challenge; `/files` and container output need `access_sandboxes`; `/health` stays open.
@Suite(.offCooperativePool) struct AgentHTTPAuthTests {
    static let ops = ClientCredentials.basic(principal: "ops", secret: "ops-secret").authorization
    static let viewer = ClientCredentials.basic(principal: "viewer", secret: "viewer-secret").authorization

    static func http(_ fixture: AgentHTTPFixture, acls: String? = nil) throws -> AgentHTTP {
        var http = fixture.http()
        http.authenticator = HTTPAuthenticator(
            credentials: try Credentials.parse("ops ops-secret\nviewer viewer-secret\n"), tokens: nil)
        http.acls = try acls.map { try ACLs.parse($0) }
        return http
    }

    static func get(_ http: AgentHTTP, _ uri: String, as authorization: String?) async -> AgentHTTPResponse {
        await http.respond(AgentHTTPRequest(uri: uri, headers: authorization.map { ["Authorization": $0] } ?? [:]))
    }

    static func text(_ response: AgentHTTPResponse) -> String {
        if case .bytes(let bytes) = response.body { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }

    @Test func requestsWithoutValidCredentialsAreRefused() async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let http = try Self.http(fixture)
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        let wrong = ClientCredentials.basic(principal: "ops", secret: "nope").authorization
        for uri in ["/state", "/flags", "/metrics/snapshot", "/files/read?path=\(sandbox)/stdout&offset=0"] {
            for authorization in [nil, wrong] {
                let response = await Self.get(http, uri, as: authorization)
                #expect(response.status == 401, "\(uri): \(response.status)")
                #expect(response.headers["WWW-Authenticate"] == #"Basic realm="corral""#)
            }
            #expect(await Self.get(http, uri, as: Self.ops).status == 200, "\(uri)")
        }
        let call = AgentHTTPRequest(
            method: "POST", uri: "/api/v1", headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: Array(#"{"type": "GET_STATE"}"#.utf8))
        #expect(await http.respond(call).status == 401)
        #expect(await Self.get(http, "/health", as: nil).status == 200)
    }

    @Test func sandboxesNeedAccessSandboxes() async throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let acls = #"""
            {"permissive": false,
             "access_sandboxes": [{"principals": {"values": ["ops"]}, "users": {"type": "ANY"}}],
             "view_agents": [{"principals": {"type": "ANY"}}]}
            """#
        let http = try Self.http(fixture, acls: acls)
        let sandbox = try #require(fixture.sandboxes[AgentHTTPFixture.t1])
        let read = "/files/read?path=\(sandbox)/stdout&offset=0"
        let refused = await Self.get(http, read, as: Self.viewer)
        #expect(refused.status == 403)
        #expect(Self.text(refused).contains("principal 'viewer' is not authorized to access_sandboxes"), "\(Self.text(refused))")
        #expect(await Self.get(http, read, as: Self.ops).status == 200)
        let attach = AgentHTTPRequest(
            method: "POST", uri: "/api/v1",
            headers: ["Content-Type": "application/json", "Accept": "application/recordio", "Message-Accept": "application/json", "Authorization": Self.viewer],
            body: Array(#"{"type":"ATTACH_CONTAINER_OUTPUT","attach_container_output":{"container_id":{"value":"c-1"}}}"#.utf8))
        #expect(await http.respond(attach).status == 403)
        // view_agents allows everyone the state; get_endpoints has no rule and is not permissive.
        #expect(await Self.get(http, "/state", as: Self.viewer).status == 200)
        #expect(await Self.get(http, "/flags", as: Self.viewer).status == 403)
    }
}
