import Foundation

/// Authenticates HTTP requests by their `Authorization` header: `Basic` against a credentials
/// file, `Bearer` against JWT keys. A server with neither configured has no authenticator and
/// serves everyone, as before.
public struct HTTPAuthenticator: Sendable {
    /// What a server was told to check (flags or its config file).
    public struct Settings: Sendable, Hashable, Codable {
        /// A credentials file for HTTP Basic (`--credentials`).
        public var credentials: String?
        /// A file holding the HS256 secret of bearer tokens (`--jwt-hmac-secret-file`).
        public var jwtHMACSecretFile: String?
        /// A PEM RSA public key for RS256 bearer tokens (`--jwt-rsa-public-key`).
        public var jwtRSAPublicKey: String?

        public init(credentials: String? = nil, jwtHMACSecretFile: String? = nil, jwtRSAPublicKey: String? = nil) {
            self.credentials = credentials
            self.jwtHMACSecretFile = jwtHMACSecretFile
            self.jwtRSAPublicKey = jwtRSAPublicKey
        }

        /// Whether any way of authenticating is configured.
        public var isEmpty: Bool { credentials == nil && jwtHMACSecretFile == nil && jwtRSAPublicKey == nil }
    }

    /// What became of a request's credentials.
    public enum Outcome: Sendable, Equatable {
        case authenticated(principal: String)
        /// No or bad credentials; the reason is for the response body, never for logs
        /// (it never contains a secret).
        case refused(reason: String)
    }

    /// The realm named in `WWW-Authenticate`.
    public static let realm = "corral"

    public let credentials: Credentials?
    public let tokens: JWTVerifier?

    public init(credentials: Credentials?, tokens: JWTVerifier?) {
        self.credentials = credentials
        self.tokens = tokens
    }

    /// Loads the files `settings` names; nil when it names none.
    public init?(settings: Settings) throws(AuthError) {
        if settings.isEmpty { return nil }
        credentials = try settings.credentials.map { path throws(AuthError) in try Credentials.load(path: path) }
        var keys: [JWTVerifier.Key] = []
        if let path = settings.jwtHMACSecretFile { keys.append(try JWTVerifier.hmacSecret(path: path)) }
        if let path = settings.jwtRSAPublicKey { keys.append(try JWTVerifier.rsaPublicKey(path: path)) }
        tokens = keys.isEmpty ? nil : JWTVerifier(keys: keys)
    }

    /// The `WWW-Authenticate` challenges of a 401 answer, one per accepted scheme.
    public var challenges: [String] {
        var challenges: [String] = []
        if credentials != nil { challenges.append("Basic realm=\"\(Self.realm)\"") }
        if tokens != nil { challenges.append("Bearer realm=\"\(Self.realm)\"") }
        return challenges
    }

    /// The `WWW-Authenticate` header of a 401 answer: every challenge, comma-separated (as
    /// RFC 7235 allows).
    public var wwwAuthenticate: String { challenges.joined(separator: ", ") }

    /// What to send, for the body of a 401 answer.
    public var instructions: String {
        var ways: [String] = []
        if credentials != nil { ways.append("HTTP Basic with a principal and secret from the master's credentials file") }
        if tokens != nil { ways.append("'Authorization: Bearer <JWT>' signed with the configured key (sub = principal)") }
        return "authenticate with " + ways.joined(separator: ", or ")
    }

    /// Checks an `Authorization` header value.
    public func authenticate(_ authorization: String?, now: Date = Date()) -> Outcome {
        guard let authorization, !authorization.isEmpty else { return .refused(reason: "the request carries no credentials") }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard let first = parts.first else { return .refused(reason: "the request carries no credentials") }
        let scheme = first.lowercased()
        let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch scheme {
        case "basic":
            guard let credentials else { return .refused(reason: "HTTP Basic is not accepted here; send a bearer token") }
            guard let decoded = Data(base64Encoded: value).flatMap({ String(data: $0, encoding: .utf8) }),
                let colon = decoded.firstIndex(of: ":")
            else { return .refused(reason: "the Basic credentials are not base64 of principal:secret") }
            let principal = String(decoded[..<colon])
            guard credentials.verify(principal: principal, secret: String(decoded[decoded.index(after: colon)...])) else {
                return .refused(reason: "wrong principal or secret")
            }
            return .authenticated(principal: principal)
        case "bearer":
            guard let tokens else { return .refused(reason: "bearer tokens are not accepted here; use HTTP Basic") }
            do {
                return .authenticated(principal: try tokens.principal(of: value, now: now))
            } catch {
                return .refused(reason: "\(error)")
            }
        default:
            return .refused(reason: "unknown authorization scheme '\(first)'")
        }
    }
}
