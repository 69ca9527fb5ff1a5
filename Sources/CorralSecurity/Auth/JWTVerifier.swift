import Crypto
import Foundation
import _CryptoExtras

/// Checks bearer tokens (JWS compact JSON Web Tokens) signed with HS256 (a shared secret) or
/// RS256 (an RSA key pair; the master holds the public key). A token is accepted when its
/// header names the algorithm this verifier was given (never `none`, never the other one), its
/// signature verifies, `exp` (if present) is in the future and `nbf` (if present) is not; its
/// principal is its `sub` claim.
public struct JWTVerifier: Sendable {
    /// The key a verifier checks signatures with.
    public enum Key: Sendable {
        case hmacSHA256(SymmetricKey)
        case rsaSHA256(_RSA.Signing.PublicKey)

        var algorithm: String {
            switch self {
            case .hmacSHA256: "HS256"
            case .rsaSHA256: "RS256"
            }
        }
    }

    public let keys: [Key]

    public init(keys: [Key]) { self.keys = keys }

    /// An HS256 verifier with the secret in `path` (`--jwt-hmac-secret-file`; surrounding
    /// whitespace, such as a final newline, is not part of the secret).
    public static func hmacSecret(path: String) throws(AuthError) -> Key {
        let secret = try AuthFile.read(path, what: "JWT HMAC secret").trimmingCharacters(in: .whitespacesAndNewlines)
        guard secret.utf8.count >= 32 else {
            throw AuthError("the JWT HMAC secret in '\(path)' has \(secret.utf8.count) bytes; HS256 needs at least 32 (e.g. `openssl rand -hex 32`)")
        }
        return .hmacSHA256(SymmetricKey(data: Data(secret.utf8)))
    }

    /// An RS256 verifier with the PEM public key in `path` (`--jwt-rsa-public-key`).
    public static func rsaPublicKey(path: String) throws(AuthError) -> Key {
        let pem = try AuthFile.read(path, what: "JWT RSA public key")
        do {
            return .rsaSHA256(try _RSA.Signing.PublicKey(pemRepresentation: pem))
        } catch {
            throw AuthError("'\(path)' is not a PEM RSA public key of at least 2048 bits (`openssl rsa -in key.pem -pubout`): \(error)")
        }
    }

    /// The token's principal (`sub`), or an error saying why the token is refused.
    public func principal(of token: String, now: Date) throws(AuthError) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw AuthError("the bearer token is not a JWT (header.payload.signature)") }
        guard let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw AuthError("the bearer token is not base64url-encoded") }
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            let claims = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any]
        else { throw AuthError("the bearer token's header or payload is not a JSON object") }
        let algorithm = header["alg"] as? String ?? ""
        guard let key = keys.first(where: { $0.algorithm == algorithm }) else {
            let accepted = keys.map(\.algorithm).joined(separator: ", ")
            throw AuthError("the bearer token is signed with alg '\(algorithm)'; this master accepts \(accepted)")
        }
        let signed = Data((parts[0] + "." + parts[1]).utf8)
        guard Self.verify(signature, of: signed, with: key) else { throw AuthError("the bearer token's signature does not verify") }
        let seconds = now.timeIntervalSince1970
        if let exp = claims["exp"] {
            guard let value = Self.number(exp) else { throw AuthError("the bearer token's exp is not a number") }
            guard seconds < value else { throw AuthError("the bearer token expired (exp \(Int64(value)))") }
        }
        if let nbf = claims["nbf"] {
            guard let value = Self.number(nbf) else { throw AuthError("the bearer token's nbf is not a number") }
            guard seconds >= value else { throw AuthError("the bearer token is not valid yet (nbf \(Int64(value)))") }
        }
        guard let subject = claims["sub"] as? String, !subject.isEmpty else {
            throw AuthError("the bearer token has no sub claim naming its principal")
        }
        return subject
    }

    /// A JSON number claim (NumericDate: seconds since 1970).
    private static func number(_ value: Any) -> Double? {
        if value is Bool { return nil }
        if let int = value as? Int { return Double(int) }
        return value as? Double
    }

    private static func verify(_ signature: Data, of data: Data, with key: Key) -> Bool {
        switch key {
        case .hmacSHA256(let secret):
            // Constant time in swift-crypto.
            return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: data, using: secret)
        case .rsaSHA256(let publicKey):
            return publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
        }
    }
}

/// Base64 with the URL alphabet and no padding (RFC 7515 §2).
public enum Base64URL {
    public static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if base64.contains("=") { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
