import CorralSecurity
import Crypto
import Foundation
import _CryptoExtras

/// Makes JWTs for tests: a signer double (Corral itself only verifies tokens).
public enum TestTokens {
    public static func unsigned(alg: String, claims: [String: Any]) -> String {
        let header = Base64URL.encode(Data("{\"alg\":\"\(alg)\",\"typ\":\"JWT\"}".utf8))
        let payload = Base64URL.encode((try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])) ?? Data())
        return header + "." + payload
    }

    public static func hs256(_ claims: [String: Any], secret: String) -> String {
        let input = unsigned(alg: "HS256", claims: claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + Base64URL.encode(Data(mac))
    }

    public static func rs256(_ claims: [String: Any], key: _RSA.Signing.PrivateKey) throws -> String {
        let input = unsigned(alg: "RS256", claims: claims)
        let signature = try key.signature(for: SHA256.hash(data: Data(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }
}
