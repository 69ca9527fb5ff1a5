import CorralSecurity
import Crypto
import Foundation

// MARK: - Authentication and authorization

extension FuzzTargets {
    static let auth: [FuzzTarget] = [
        FuzzTarget(
            name: "auth-header", summary: "an Authorization header: HTTP Basic against a credentials file, HS256 bearer tokens",
            format: .text, seeds: AuthSeeds.headers
        ) { input, _ in
            let header = String(decoding: input, as: UTF8.self)
            if case .refused(let reason) = AuthSeeds.authenticator.authenticate(header, now: AuthSeeds.now) {
                throw FuzzRefusal(reason)
            }
        },
        FuzzTarget(
            name: "credentials-file", summary: "a credentials file (Mesos JSON, or principal secret lines)",
            format: .text, seeds: [[UInt8](utf8: AuthSeeds.credentialsJSON), [UInt8](utf8: AuthSeeds.credentialsLines)]
        ) { input, _ in
            let credentials = try Credentials.parse(String(decoding: input, as: UTF8.self), source: "fuzz")
            _ = credentials.verify(principal: "ops", secret: "s3cret")
        },
        FuzzTarget(
            name: "acls-file", summary: "a Mesos-style ACLs file, then every action checked against it",
            format: .text, seeds: [[UInt8](utf8: AuthSeeds.acls)]
        ) { input, _ in
            let acls = try ACLs.parse(String(decoding: input, as: UTF8.self), source: "fuzz")
            for action in ACLAction.allCases {
                for principal in ["ops", "eve", nil] as [String?] {
                    _ = acls.allows(action, principal: principal, object: "root")
                    _ = acls.explicitlyAllows(action, principal: principal)
                }
            }
        },
    ]
}

/// Valid inputs the authentication targets start from, and the authenticator they run.
enum AuthSeeds {
    /// The HS256 secret the seed token is signed with.
    static let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    /// A fixed time, so that `exp` and `nbf` decide the same way on every run.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let authenticator = HTTPAuthenticator(
        credentials: Credentials(["ops": "s3cret", "agent": "agent-secret"]),
        tokens: JWTVerifier(keys: [.hmacSHA256(SymmetricKey(data: secret))]))
    /// `ops:s3cret` in Basic, and a token for `ops` expiring in 2100.
    static let headers: [[UInt8]] = [
        [UInt8](utf8: "Basic b3BzOnMzY3JldA=="),
        [UInt8](
            utf8: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvcHMiLCJleHAiOjQxMDI0NDQ4MDB9"
                + ".BWA77tTVjgrgwbvEFSbRzpA7BOHQVNdO8CXhbv2PSTY"),
    ]
    static let credentialsJSON = #"{"credentials": [{"principal": "ops", "secret": "s3cret"}, {"principal": "fw", "secret": "x"}]}"#
    static let credentialsLines = "# who\nops s3cret\nfw x\n\n"
    static let acls = #"""
        {"permissive": false,
         "register_frameworks": [{"principals": {"values": ["ops"]}, "roles": {"type": "ANY"}}],
         "run_tasks": [{"principals": {"values": ["ops"]}, "users": {"values": ["root"]}},
                       {"principals": {"type": "ANY"}, "users": {"values": ["nobody"]}}],
         "view_agents": [{"principals": {"type": "NONE"}}],
         "get_endpoints": [{"principals": {"values": ["ops"]}, "paths": {"values": ["/metrics"]}}]}
        """#
}
