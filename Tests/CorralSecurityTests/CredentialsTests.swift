import CorralSecurity
import Foundation
import Testing

/// Credentials files in both of Mesos's formats, and HTTP Basic against them.
struct CredentialsTests {
    @Test func jsonAndTextFormatsReadTheSamePairs() throws {
        let json = try Credentials.parse(#"{"credentials": [{"principal": "ops", "secret": "s3"}, {"principal": "fw", "secret": "x"}]}"#)
        let text = try Credentials.parse("# comment\nops s3\n\nfw\tx\n")
        #expect(json == text)
        #expect(json.secrets == ["ops": "s3", "fw": "x"])
    }

    @Test(arguments: [
        ("", "lists no credentials"), ("ops\n", "line 1: expected 'principal secret'"), ("a b\na c\n", "listed twice"),
        (#"{"credentials": [{"principal": "a"}]}"#, "is not a credentials file"), ("a:b c\n", "contains ':'"),
    ])
    func badFilesAreRefusedWithTheReason(text: String, expected: String) {
        let error = #expect(throws: AuthError.self) { _ = try Credentials.parse(text, source: "creds") }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func verifyAcceptsOnlyTheExactSecret() throws {
        let credentials = try Credentials.parse("ops s3cret\n")
        #expect(credentials.verify(principal: "ops", secret: "s3cret"))
        for (principal, secret) in [("ops", "s3cre"), ("ops", "s3cretx"), ("ops", ""), ("nobody", "s3cret"), ("", "")] {
            #expect(!credentials.verify(principal: principal, secret: secret), "\(principal):\(secret)")
        }
        #expect(ConstantTime.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equal([], [0]))
    }

    @Test func basicAuthenticationNamesThePrincipalOrTheReason() throws {
        let authenticator = HTTPAuthenticator(credentials: try Credentials.parse("ops s3cret\n"), tokens: nil)
        #expect(authenticator.challenges == [#"Basic realm="corral""#])
        let good = ClientCredentials.basic(principal: "ops", secret: "s3cret").authorization
        #expect(authenticator.authenticate(good) == .authenticated(principal: "ops"))
        let bad = ClientCredentials.basic(principal: "ops", secret: "wrong").authorization
        #expect(authenticator.authenticate(bad) == .refused(reason: "wrong principal or secret"))
        #expect(authenticator.authenticate(nil) == .refused(reason: "the request carries no credentials"))
        #expect(authenticator.authenticate("Basic !!!") == .refused(reason: "the Basic credentials are not base64 of principal:secret"))
        #expect(authenticator.authenticate("Bearer x.y.z") == .refused(reason: "bearer tokens are not accepted here; use HTTP Basic"))
    }

    @Test func clientCredentialsComeFromFilesOrTheEnvironment() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corral-creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "s3cret\n".write(toFile: directory + "/secret", atomically: true, encoding: .utf8)
        try "a.b.c\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        #expect(try ClientCredentials.from(principal: "ops", secretFile: directory + "/secret", tokenFile: nil, environment: [:])
            == .basic(principal: "ops", secret: "s3cret"))
        #expect(try ClientCredentials.from(principal: nil, secretFile: nil, tokenFile: directory + "/token", environment: [:])
            == .bearer(token: "a.b.c"))
        #expect(try ClientCredentials.from(principal: nil, secretFile: nil, tokenFile: nil, environment: ["CORRAL_TOKEN": "t"]) == .bearer(token: "t"))
        #expect(try ClientCredentials.from(principal: nil, secretFile: nil, tokenFile: nil, environment: [:]) == nil)
        #expect(throws: AuthError.self) { try ClientCredentials.from(principal: "ops", secretFile: nil, tokenFile: nil, environment: [:]) }
        #expect(throws: AuthError.self) { try ClientCredentials.from(principal: "ops", secretFile: directory + "/none", tokenFile: nil) }
    }
}
