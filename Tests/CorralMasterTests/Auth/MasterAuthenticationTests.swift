import CorralSecurity
import CorralTestSupport
import Foundation
import Testing
import _CryptoExtras

/// A real master with `--credentials` and JWT keys: every endpoint family refuses a call
/// without valid credentials (401 with the challenges) and applies nothing; valid Basic and
/// bearer credentials work; SUBSCRIBE must name the authenticated principal.
@Suite(.serialized, .offCooperativePool)
struct MasterAuthenticationTests {
    /// One request of each endpoint family that would change or reveal something.
    static let families: [(method: String, path: String, body: String)] = [
        ("POST", "/api/v1/scheduler", #"{"type": "SUBSCRIBE", "subscribe": {"framework_info": {"user": "x", "name": "x"}}}"#),
        ("POST", "/api/v1", #"{"type": "UPDATE_WEIGHTS", "update_weights": {"weight_infos": [{"role": "web", "weight": 2}]}}"#),
        ("POST", "/corral/v1/agent", #"{"type": "SUBSCRIBE", "subscribe": {"agent_info": {"hostname": "h", "resources": []}}}"#),
        ("GET", "/master/state", ""), ("GET", "/master/frameworks", ""), ("POST", "/master/teardown", "frameworkId=x"),
        ("GET", "/metrics", ""), ("GET", "/metrics/snapshot", ""), ("GET", "/flags", ""),
        ("POST", "/quorum/add-learner", #"{"id": 9, "raft": "127.0.0.1:1", "http": "127.0.0.1:2"}"#),
        ("GET", "/quorum/status", ""), ("PUT", "/v1/kv/k", "value"), ("GET", "/ui/api/quorum", ""),
    ]

    @Test func callsWithoutValidCredentialsAreRefusedAndChangeNothing() throws {
        let master = try AuthMaster()
        defer { master.stop() }
        let wrong = AuthMaster.basic("ops", "not-the-secret")
        for family in Self.families {
            for authorization in [nil, wrong, "Bearer not.a.token", AuthMaster.basic("nobody", "ops-secret")] {
                let reply = try master.request(family.method, family.path, body: Array(family.body.utf8), as: authorization)
                #expect(reply.status == 401, "\(family.method) \(family.path) as \(authorization ?? "nobody"): \(reply.status) \(reply.text)")
                let challenge = reply.headers["www-authenticate"] ?? ""
                #expect(challenge.contains(#"Basic realm="corral""#), "\(family.path): \(challenge)")
                #expect(reply.text.contains("authenticate with"), "\(reply.text)")
            }
        }
        let after = try master.state()
        #expect(after.frameworks == 0 && after.agents == 0 && after.weights == 0 && after.key == 404, "\(after)")
        #expect(try master.quorum.status(1).members.count == 1)
        // Open: health and the dashboard's page.
        for path in ["/health", "/master/health", "/"] {
            #expect(try master.request("GET", path, as: nil).status == 200, "\(path)")
        }
        // Valid credentials work.
        let put = try master.request("PUT", "/v1/kv/k", body: Array("v".utf8), as: AuthMaster.ops)
        #expect(put.status == 204, "\(put.text)")
        let weights = try master.call(
            ["type": "UPDATE_WEIGHTS", "update_weights": ["weight_infos": [["role": "web", "weight": 2.0]]]], as: AuthMaster.fw)
        #expect(weights.status == 202, "\(weights.text)")
        #expect(try master.state().weights == 1)
        #expect(try master.request("GET", "/metrics", as: AuthMaster.ops).status == 200)
    }

    @Test func bearerTokensAreCheckedForSignatureTimeAndAlgorithm() throws {
        let master = try AuthMaster()
        defer { master.stop() }
        let now = Int(Date().timeIntervalSince1970)
        func status(_ token: String) throws -> Int { try master.request("GET", "/master/state", as: "Bearer " + token).status }
        #expect(try status(TestTokens.hs256(["sub": "ops", "exp": now + 600], secret: AuthMaster.hmacSecret)) == 200)
        #expect(try status(TestTokens.rs256(["sub": "ops", "exp": now + 600], key: master.rsaKey)) == 200)
        #expect(try status(TestTokens.hs256(["sub": "ops", "exp": now - 10], secret: AuthMaster.hmacSecret)) == 401)
        #expect(try status(TestTokens.hs256(["sub": "ops", "nbf": now + 600], secret: AuthMaster.hmacSecret)) == 401)
        #expect(try status(TestTokens.hs256(["sub": "ops"], secret: String(repeating: "x", count: 40))) == 401)
        #expect(try status(TestTokens.rs256(["sub": "ops"], key: try _RSA.Signing.PrivateKey(keySize: .bits2048))) == 401)
        #expect(try status(TestTokens.unsigned(alg: "none", claims: ["sub": "ops"]) + ".") == 401)
        let refused = try master.request("GET", "/master/state", as: "Bearer " + TestTokens.unsigned(alg: "none", claims: ["sub": "ops"]) + ".")
        #expect(refused.text.contains("alg 'none'"), "\(refused.text)")
        #expect(refused.headers["www-authenticate"]?.contains("Bearer") == true || refused.text.contains("Bearer"))
    }

    @Test func subscribeMustNameTheAuthenticatedPrincipal() throws {
        let master = try AuthMaster()
        defer { master.stop() }
        let other = try master.subscribe(principal: "ops", roles: ["web"], as: AuthMaster.fw)
        #expect(other.status == 403 && other.body.contains("framework_info.principal"), "\(other)")
        let missing = try master.subscribe(principal: nil, roles: ["web"], as: AuthMaster.fw)
        #expect(missing.status == 403, "\(missing)")
        #expect(try master.state().frameworks == 0)
        let token = TestTokens.hs256(["sub": "fw"], secret: AuthMaster.hmacSecret)
        #expect(try master.subscribe(principal: "fw", roles: ["web"], as: "Bearer " + token).status == 200)
        try master.quorum.waitUntil("the framework is registered", seconds: 30) { try master.state().frameworks == 1 }
    }
}
