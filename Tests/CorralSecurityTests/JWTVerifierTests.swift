import CorralSecurity
import CorralTestSupport
import Crypto
import Foundation
import Testing
import _CryptoExtras

/// Bearer tokens: HS256 and RS256 accepted when valid; expired, early, forged, unsigned
/// (`alg: none`) and other-algorithm tokens refused with the reason.
struct JWTVerifierTests {
    static let secret = String(repeating: "k", count: 32)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func hmacVerifier() -> JWTVerifier {
        JWTVerifier(keys: [.hmacSHA256(SymmetricKey(data: Data(secret.utf8)))])
    }

    static func refusal(_ verifier: JWTVerifier, _ token: String) -> String {
        do {
            return "accepted as \(try verifier.principal(of: token, now: now))"
        } catch {
            return "\(error)"
        }
    }

    @Test func hs256TokensAreCheckedForSignatureAndTime() {
        let verifier = Self.hmacVerifier()
        let valid = TestTokens.hs256(["sub": "fw", "exp": 1_800_000_060, "nbf": 1_799_999_000], secret: Self.secret)
        #expect(Self.refusal(verifier, valid) == "accepted as fw")
        #expect(Self.refusal(verifier, TestTokens.hs256(["sub": "fw", "exp": 1_799_999_999], secret: Self.secret)).contains("expired"))
        #expect(Self.refusal(verifier, TestTokens.hs256(["sub": "fw", "nbf": 1_800_000_001], secret: Self.secret)).contains("not valid yet"))
        let forged = TestTokens.hs256(["sub": "fw"], secret: String(repeating: "x", count: 32))
        #expect(Self.refusal(verifier, forged).contains("signature does not verify"))
        // The payload changed under a valid signature.
        let parts = valid.split(separator: ".")
        let swapped = TestTokens.unsigned(alg: "HS256", claims: ["sub": "root"]) + "." + parts[2]
        #expect(Self.refusal(verifier, swapped).contains("signature does not verify"))
        #expect(Self.refusal(verifier, TestTokens.hs256(["exp": 1_800_000_060], secret: Self.secret)).contains("no sub claim"))
        #expect(Self.refusal(verifier, TestTokens.hs256(["sub": "fw", "exp": "soon"], secret: Self.secret)).contains("not a number"))
    }

    @Test func unsignedAndOtherAlgorithmTokensAreRefused() {
        let verifier = Self.hmacVerifier()
        let none = TestTokens.unsigned(alg: "none", claims: ["sub": "fw"]) + "."
        #expect(Self.refusal(verifier, none).contains("alg 'none'"))
        let hs512 = TestTokens.unsigned(alg: "HS512", claims: ["sub": "fw"]) + ".AAAA"
        #expect(Self.refusal(verifier, hs512).contains("accepts HS256"))
        #expect(Self.refusal(verifier, "not-a-token").contains("not a JWT"))
        #expect(Self.refusal(verifier, "a.b!.c").contains("base64url"))
    }

    @Test func rs256TokensVerifyWithThePublicKeyOnly() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let verifier = JWTVerifier(keys: [.rsaSHA256(key.publicKey)])
        #expect(Self.refusal(verifier, try TestTokens.rs256(["sub": "ops", "exp": 1_800_000_060], key: key)) == "accepted as ops")
        #expect(Self.refusal(verifier, try TestTokens.rs256(["sub": "ops", "exp": 1_700_000_000], key: key)).contains("expired"))
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(Self.refusal(verifier, try TestTokens.rs256(["sub": "ops"], key: other)).contains("signature does not verify"))
        // An HS256 token "signed" with the public key's PEM (the classic algorithm confusion) is refused.
        let confused = TestTokens.hs256(["sub": "ops"], secret: key.publicKey.pemRepresentation)
        #expect(Self.refusal(verifier, confused).contains("accepts RS256"))
    }

    @Test func keyFilesLoadWithClearErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corral-jwt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "short\n".write(toFile: directory + "/short", atomically: true, encoding: .utf8)
        #expect(throws: AuthError.self) { try JWTVerifier.hmacSecret(path: directory + "/short") }
        try "garbage".write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
        #expect(throws: AuthError.self) { try JWTVerifier.rsaPublicKey(path: directory + "/key.pem") }
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        try key.publicKey.pemRepresentation.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
        try (Self.secret + "\n").write(toFile: directory + "/secret", atomically: true, encoding: .utf8)
        let settings = HTTPAuthenticator.Settings(jwtHMACSecretFile: directory + "/secret", jwtRSAPublicKey: directory + "/key.pem")
        let authenticator = try #require(try HTTPAuthenticator(settings: settings))
        #expect(authenticator.challenges == [#"Bearer realm="corral""#])
        let token = try TestTokens.rs256(["sub": "ops"], key: key)
        #expect(authenticator.authenticate("Bearer " + token) == .authenticated(principal: "ops"))
        #expect(authenticator.authenticate("Bearer " + TestTokens.hs256(["sub": "fw"], secret: Self.secret)) == .authenticated(principal: "fw"))
    }
}
