@testable import CorralMaster
import CorralSecurity
import Testing

/// The `[auth]` section of a master's config file, and which paths stay open.
struct AuthConfigTests {
    @Test func theAuthSectionNamesTheFiles() throws {
        let config = try MasterConfig.parse(
            """
            node_id = 1
            [auth]
            credentials = "/etc/corral/credentials.json"
            jwt_hmac_secret_file = "/etc/corral/hmac"
            jwt_rsa_public_key = "/etc/corral/jwt.pem"
            acls = "/etc/corral/acls.json"
            """)
        #expect(config.authentication == HTTPAuthenticator.Settings(
            credentials: "/etc/corral/credentials.json", jwtHMACSecretFile: "/etc/corral/hmac", jwtRSAPublicKey: "/etc/corral/jwt.pem"))
        #expect(config.aclsFile == "/etc/corral/acls.json")
        #expect(try MasterConfig.parse("node_id = 1").authentication.isEmpty)
        #expect(throws: MasterError.self) { try MasterConfig.parse("[auth]\ncredentials = 3\n") }
    }

    @Test func onlyHealthRedirectsAndTheDashboardPageAreOpen() {
        for path in ["/health", "/master/health", "/", "/ui/app.js", "/redirect", "/master/redirect"] {
            #expect(AuthenticationMiddleware.isOpen(path), "\(path)")
        }
        for path in ["/ui/api/quorum", "/ui/api/call/GET_STATE", "/ui/x/y", "/api/v1", "/metrics", "/master/state", "/quorum/status", "/v1/kv/a"] {
            #expect(!AuthenticationMiddleware.isOpen(path), "\(path)")
        }
    }
}
