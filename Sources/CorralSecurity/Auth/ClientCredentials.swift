import Foundation

/// What a client (scheduler, agent, CLI) sends in its `Authorization` header.
public enum ClientCredentials: Sendable, Hashable {
    /// HTTP Basic: a principal and its secret.
    case basic(principal: String, secret: String)
    /// A bearer token (a JWT).
    case bearer(token: String)

    /// The `Authorization` header's value.
    public var authorization: String {
        switch self {
        case .basic(let principal, let secret): "Basic " + Data("\(principal):\(secret)".utf8).base64EncodedString()
        case .bearer(let token): "Bearer " + token
        }
    }

    /// The principal the credentials name: Basic's principal, or a token's `sub` claim (read,
    /// not verified: the master verifies it).
    public var principal: String? {
        switch self {
        case .basic(let principal, _): return principal
        case .bearer(let token):
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
                let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
            else { return nil }
            return claims["sub"] as? String
        }
    }

    /// Credentials from command-line style options: `--principal` with `--secret-file`, or
    /// `--token-file`, or (with neither) the `CORRAL_TOKEN` environment variable. Nil when
    /// none is given. The files' surrounding whitespace is not part of the secret.
    public static func from(
        principal: String?, secretFile: String?, tokenFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AuthError) -> ClientCredentials? {
        if tokenFile != nil && (principal != nil || secretFile != nil) {
            throw AuthError("give either --token-file or --principal with --secret-file, not both")
        }
        if let tokenFile {
            let token = try AuthFile.read(tokenFile, what: "token").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw AuthError("the token file '\(tokenFile)' is empty") }
            return .bearer(token: token)
        }
        switch (principal, secretFile) {
        case (let principal?, let secretFile?):
            let secret = try AuthFile.read(secretFile, what: "secret").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw AuthError("the secret file '\(secretFile)' is empty") }
            return .basic(principal: principal, secret: secret)
        case (_?, nil): throw AuthError("--principal needs --secret-file (a file holding the principal's secret)")
        case (nil, _?): throw AuthError("--secret-file needs --principal")
        case (nil, nil):
            if let token = environment["CORRAL_TOKEN"], !token.isEmpty { return .bearer(token: token) }
            return nil
        }
    }
}
