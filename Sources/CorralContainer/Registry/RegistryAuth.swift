import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A user name and password for a registry (HTTP basic, or for its token server).
public struct RegistryCredentials: Sendable, Equatable {
    /// The user name.
    public var user: String
    /// The password.
    public var password: String

    /// Credentials of `user` with `password`.
    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// Parses `NAME:PASSWORD` (the password may contain ':').
    public init(parsing text: String) throws(ContainerError) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw ContainerError(.invalidArgument, "credentials must be NAME:PASSWORD")
        }
        self.init(user: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }

    /// The `Authorization` value for HTTP basic authentication.
    var basic: String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }
}

/// A `WWW-Authenticate` challenge: its scheme (`Basic`, `Bearer`) and parameters.
struct AuthChallenge: Equatable {
    var scheme: String
    var parameters: [String: String]

    /// Parses `Scheme key="value",key=value`; quoted values may hold commas.
    init?(parsing header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        let schemeEnd = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        scheme = String(trimmed[..<schemeEnd])
        guard !scheme.isEmpty else { return nil }
        parameters = [:]
        var rest = trimmed[schemeEnd...]
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " ,")).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            parameters[key] = value
        }
    }
}

extension RegistryClient {
    /// Answers a 401's challenge: basic credentials for `Basic`, a token from the realm for
    /// `Bearer`. Throws when the registry wants credentials that were not given.
    func authorize(_ challengeHeader: String?, url: URL) throws {
        guard let header = challengeHeader, let challenge = AuthChallenge(parsing: header) else {
            throw ContainerError(.registry, "\(registry) refused \(url.path) (401) without saying how to authenticate")
        }
        switch challenge.scheme.lowercased() {
        case "basic":
            guard let credentials else {
                throw ContainerError(
                    .registry,
                    "\(registry) needs credentials: give --user NAME:PASSWORD or set CORRAL_REGISTRY_USER and CORRAL_REGISTRY_PASSWORD")
            }
            authorization = credentials.basic
        case "bearer":
            authorization = "Bearer " + (try token(challenge))
        default:
            throw ContainerError(.registry, "\(registry) asks for '\(challenge.scheme)' authentication, which Corral does not speak")
        }
    }

    /// Gets a bearer token from the challenge's realm (with basic credentials when given).
    private func token(_ challenge: AuthChallenge) throws -> String {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
            components.scheme == "https" || (components.scheme == "http" && insecure)
        else {
            throw ContainerError(
                .registry,
                "\(registry) names token realm '\(challenge.parameters["realm"] ?? "")', not an https URL (or http with --insecure)")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        let scope = challenge.parameters["scope"] ?? "repository:\(repository):\(actions)"
        for part in scope.split(separator: " ") { query.append(URLQueryItem(name: "scope", value: String(part))) }
        components.queryItems = query
        guard let url = components.url else { throw ContainerError(.registry, "token realm '\(realm)' is not a URL") }
        var request = URLRequest(url: url)
        if let credentials { request.setValue(credentials.basic, forHTTPHeaderField: "Authorization") }
        let response = try http.send(request, limit: 1 << 20)
        guard response.status == 200 else {
            let who = credentials.map { "the credentials of '\($0.user)'" } ?? "anonymous access (give --user)"
            throw ContainerError(
                .registry, "token server \(realm) refused \(who) for \(scope) (\(response.status))")
        }
        struct TokenAnswer: Decodable {
            var token: String?
            var access_token: String?
        }
        let answer = try JSONCoding.decode(TokenAnswer.self, from: response.body, what: "token from \(realm)")
        guard let token = answer.token ?? answer.access_token, !token.isEmpty else {
            throw ContainerError(.registry, "token server \(realm) answered without a token")
        }
        return token
    }
}
