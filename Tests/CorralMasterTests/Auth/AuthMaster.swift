import CorralMaster
import CorralSecurity
import CorralTestSupport
import Foundation
import Testing
import _CryptoExtras

/// A real single master started with `--credentials` (principals `ops` and `fw`), an HS256
/// secret, an RSA public key and, if given, an ACLs file; and the requests the auth tests send.
final class AuthMaster {
    static let hmacSecret = String(repeating: "h", count: 40)
    let quorum: QuorumHarness
    let endpoint: String
    let rsaKey: _RSA.Signing.PrivateKey

    init(acls: String? = nil) throws {
        rsaKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let probe = try QuorumHarness(masters: 1)
        let root = probe.root
        try #"{"credentials": [{"principal": "ops", "secret": "ops-secret"}, {"principal": "fw", "secret": "fw-secret"}]}"#
            .write(toFile: root + "/credentials.json", atomically: true, encoding: .utf8)
        try (Self.hmacSecret + "\n").write(toFile: root + "/hmac", atomically: true, encoding: .utf8)
        try rsaKey.publicKey.pemRepresentation.write(toFile: root + "/rsa.pem", atomically: true, encoding: .utf8)
        var arguments = ["--credentials", root + "/credentials.json", "--jwt-hmac-secret-file", root + "/hmac", "--jwt-rsa-public-key", root + "/rsa.pem"]
        if let acls {
            try acls.write(toFile: root + "/acls.json", atomically: true, encoding: .utf8)
            arguments += ["--acls", root + "/acls.json"]
        }
        probe.extraArguments = arguments
        probe.client.authorization = Self.basic("ops", "ops-secret")
        quorum = probe
        endpoint = probe.endpoint(1)
        do {
            try probe.start(1)
            _ = try probe.leader()
            try probe.waitUntil("the leader serves the operator API", seconds: 20) {
                (try? self.call(["type": "GET_HEALTH"], as: Self.basic("ops", "ops-secret")))?.status == 200
            }
        } catch {
            probe.stopAll()
            throw error
        }
    }

    func stop() {
        quorum.stopAll()
        try? FileManager.default.removeItem(atPath: quorum.root)
    }

    static func basic(_ principal: String, _ secret: String) -> String {
        ClientCredentials.basic(principal: principal, secret: secret).authorization
    }

    static let ops = basic("ops", "ops-secret")
    static let fw = basic("fw", "fw-secret")

    /// One request with `authorization` (nil: none).
    func request(_ method: String, _ path: String, body: [UInt8] = [], as authorization: String?) throws -> OperatorClient.Reply {
        try OperatorClient.request(endpoint, method, path, body: body, headers: authorization.map { ["Authorization": $0] } ?? [:])
    }

    func call(_ call: [String: Any], as authorization: String?) throws -> OperatorClient.Reply {
        try request("POST", "/api/v1", body: Array(try JSONSerialization.data(withJSONObject: call)), as: authorization)
    }

    /// A scheduler SUBSCRIBE: only the head of the answer is read (a 200 is an open stream).
    func subscribe(principal: String?, roles: [String], as authorization: String?) throws -> (status: Int, body: String) {
        // The connection closes when this returns: a fail-over timeout keeps the framework registered.
        var info: [String: Any] = [
            "user": "nobody", "name": "auth-test", "roles": roles, "capabilities": [["type": "MULTI_ROLE"]], "failover_timeout": 3600,
        ]
        if let principal { info["principal"] = principal }
        let body = Array(try JSONSerialization.data(withJSONObject: ["type": "SUBSCRIBE", "subscribe": ["framework_info": info]]))
        let client = try OperatorClient(endpoint)
        var headers = ["Content-Type": "application/json", "Accept": "application/json"]
        if let authorization { headers["Authorization"] = authorization }
        client.send("POST", "/api/v1/scheduler", body: body, headers: headers)
        let (status, _) = try client.readHead()
        return (status, status == 200 ? "" : String(decoding: try client.readToEnd(), as: UTF8.self))
    }

    /// What the leader holds, read as `ops`: frameworks, agents, weights, and key `k`.
    func state() throws -> (frameworks: Int, agents: Int, weights: Int, key: Int) {
        let frameworks = try call(["type": "GET_FRAMEWORKS"], as: Self.ops).json["get_frameworks"] as? [String: Any]
        let agents = try call(["type": "GET_AGENTS"], as: Self.ops).json["get_agents"] as? [String: Any]
        let weights = try call(["type": "GET_WEIGHTS"], as: Self.ops).json["get_weights"] as? [String: Any]
        return (
            (frameworks?["frameworks"] as? [Any])?.count ?? 0, (agents?["agents"] as? [Any])?.count ?? 0,
            (weights?["weight_infos"] as? [Any])?.count ?? 0, try request("GET", "/v1/kv/k", as: Self.ops).status
        )
    }
}
