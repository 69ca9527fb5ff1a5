import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Speaks the OCI Distribution Spec (v2 API) to one repository of one registry, answering
/// `401` challenges with HTTP basic or a bearer token. Blocking; not shared between threads.
final class RegistryClient {
    /// `host[:port]` of the registry.
    let registry: String
    /// The repository path.
    let repository: String
    /// Allow plain HTTP.
    let insecure: Bool
    /// Given credentials, if any.
    let credentials: RegistryCredentials?
    /// The token scope's actions: `pull` or `pull,push`.
    let actions: String
    /// Progress reports for blob transfers.
    let progress: (@Sendable (Descriptor, Int64) -> Void)?
    /// Blobs larger than this are pushed in `PATCH` chunks of this size.
    let chunkSize: Int64
    let http: RegistryHTTP
    /// The `Authorization` header the last challenge earned.
    var authorization: String?

    /// A client for the repository of `reference`, for `actions` (`pull` or `pull,push`).
    init(_ reference: ImageReference, options: RegistryOptions, actions: String) {
        registry = reference.registry
        repository = reference.repository
        insecure = options.insecure
        credentials = options.credentials
        self.actions = actions
        progress = options.progress
        chunkSize = max(options.chunkSize, 1)
        http = RegistryHTTP(timeout: options.timeout, caCertificate: options.caCertificate)
    }

    /// `scheme://registry/v2/<repository>/<path>`.
    func url(_ path: String) throws -> URL {
        let text = (insecure ? "http://" : "https://") + registry + "/v2/" + repository + "/" + path
        guard let url = URL(string: text) else { throw ContainerError(.invalidArgument, "'\(text)' is not a URL") }
        return url
    }

    /// Sends a request, answering one `401` challenge and retrying once.
    func send(
        _ method: String,
        _ url: URL,
        headers: [String: String] = [:],
        body: RegistryHTTP.Body = .none,
        limit: Int = 8 << 20,
        sink: (any RegistryBodySink)? = nil
    ) throws -> RegistryResponse {
        func attempt() throws -> RegistryResponse {
            var request = URLRequest(url: url)
            request.httpMethod = method
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
            do {
                return try http.send(request, body: body, limit: limit, sink: sink)
            } catch let error as ContainerError where error.code == .registry && error.message.hasPrefix("cannot reach") {
                throw ContainerError(
                    .registry,
                    "registry \(registry) is unreachable (\(method) \(url.absoluteString))",
                    cause: error.cause + (insecure ? "" : "; if it speaks plain HTTP, add --insecure"))
            }
        }
        let first = try attempt()
        guard first.status == 401 else { return first }
        try authorize(first.header("www-authenticate"), url: url)
        let second = try attempt()
        guard second.status != 401 else {
            let who = credentials.map { "the credentials of '\($0.user)'" } ?? "anonymous access (give --user NAME:PASSWORD)"
            throw ContainerError(.registry, "\(registry) refused \(who) for \(repository) (401 on \(method) \(url.path))")
        }
        return second
    }

    /// An error for an answer that was not the expected one, naming `what` was asked for.
    func failure(_ response: RegistryResponse, _ what: String) -> ContainerError {
        struct Errors: Decodable {
            struct Entry: Decodable {
                var code: String
                var message: String?
            }
            var errors: [Entry]
        }
        let detail = (try? JSONDecoder().decode(Errors.self, from: Data(response.body)))?.errors
            .map { "\($0.code)\($0.message.map { ": " + $0 } ?? "")" }.joined(separator: "; ")
        let cause = "\(response.status)" + (detail.map { " " + $0 } ?? "")
        switch response.status {
        case 404:
            return ContainerError(.notFound, "\(what) not found in \(registry)/\(repository)", cause: cause)
        case 401, 403:
            return ContainerError(.registry, "\(registry) denied \(what)", cause: cause)
        default:
            return ContainerError(.registry, "\(registry) failed \(what)", cause: cause)
        }
    }
}
