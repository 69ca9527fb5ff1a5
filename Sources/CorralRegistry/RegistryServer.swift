import CorralContainer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore

/// An OCI Distribution Spec (v2) registry over HTTP, keeping its content in a
/// `RegistryStorage`: pull, push (monolithic, chunked, cross-repository mount), tag listing,
/// catalog and deletes, with optional HTTP basic authentication and TLS.
public struct RegistryServer: Sendable {
    /// Where the registry listens (port 0: the system chooses; `onRunning` is told).
    public struct Listen: Sendable {
        public var host: String
        public var port: Int
        /// `host:port`.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// The certificate chain and key files (PEM) to serve HTTPS with.
    public struct TLSFiles: Sendable {
        public var certificate: String
        public var key: String
        /// The chain in `certificate` and the key in `key`.
        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// The registry's files.
    public let storage: RegistryStorage
    /// Where to listen.
    public let listen: Listen
    /// Who may use the registry; nil: anyone.
    public let credentials: BasicCredentials?
    /// HTTPS when set.
    public let tls: TLSFiles?
    let uploads: UploadSessions
    let logger: Logger
    /// The largest blob an upload may grow to (`corral registry serve --max-blob-bytes`);
    /// a chunk that would pass it is refused with 413 before it is read, and a streamed body
    /// is cut off there. Default 16 GiB.
    public var maxBlobBytes: Int64 = 16 << 30

    /// A registry serving `storage` on `listen`.
    public init(
        storage: RegistryStorage, listen: Listen, credentials: BasicCredentials? = nil, tls: TLSFiles? = nil,
        logger: Logger = Logger(label: "corral.registry")
    ) {
        self.storage = storage
        self.listen = listen
        self.credentials = credentials
        self.tls = tls
        self.logger = logger
        uploads = UploadSessions(storage: storage)
    }

    /// The Hummingbird application; run it with `runService()` or in a `ServiceGroup`.
    /// `onRunning` gets the bound port once the server accepts connections. Throws when the
    /// TLS files cannot be read.
    public func application(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) throws -> some ApplicationProtocol {
        let server = self
        let responder = CallbackResponder<BasicRequestContext> { request, context in await server.respond(request, context) }
        let builder: HTTPServerBuilder
        if let tls {
            let configuration: TLSConfiguration
            do {
                configuration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem))
                )
            } catch {
                throw RegistryError(
                    .unknown, "cannot load the TLS certificate '\(tls.certificate)' or key '\(tls.key)' (PEM expected): \(error)")
            }
            builder = try .tls(.http1(), tlsConfiguration: configuration)
        } else {
            builder = .http1()
        }
        return Application(
            responder: responder,
            server: builder,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "corral-registry"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? server.listen.port) },
            logger: logger
        )
    }

    // MARK: - Dispatch

    /// Answers one request; every failure becomes the spec's JSON error.
    func respond(_ request: Request, _ context: BasicRequestContext) async -> Response {
        do {
            if let credentials { try credentials.check(request.headers[.authorization]) }
            guard let route = try RegistryRoute.parse(request.uri.path) else {
                throw RegistryError(.unsupported, "'\(request.uri.path)' is not a registry API path (they start with /v2/)", status: 404)
            }
            let query = QueryParameters(request.uri.query ?? "")
            return try await dispatch(route, request, context, query)
        } catch let error as RegistryError {
            if error.status >= 500 {
                logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            return Self.errorResponse(error, head: request.method == .head)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.errorResponse(RegistryError.storage(error, "\(request.method) \(request.uri.path)"), head: false)
        }
    }

    private func dispatch(
        _ route: RegistryRoute, _ request: Request, _ context: BasicRequestContext, _ query: QueryParameters
    ) async throws -> Response {
        let method = request.method
        switch (route, method) {
        case (.base, .get), (.base, .head):
            return Self.response(.ok, body: Array("{}".utf8), contentType: "application/json")
        case (.catalog, .get):
            return try catalog(query)
        case (.tags(let name), .get):
            return try tags(name, query)
        case (.manifest(let name, let reference), .get), (.manifest(let name, let reference), .head):
            return try getManifest(name, try ManifestReference(reference), head: method == .head)
        case (.manifest(let name, let reference), .put):
            return try await putManifest(name, try ManifestReference(reference), request)
        case (.manifest(let name, let reference), .delete):
            return try deleteManifest(name, try ManifestReference(reference))
        case (.blob(let name, let digest), .get), (.blob(let name, let digest), .head):
            return try await getBlob(name, try parseDigest(digest), request, context, head: method == .head)
        case (.blob(let name, let digest), .delete):
            return try deleteBlob(name, try parseDigest(digest))
        case (.uploads(let name), .post):
            return try await startUpload(name, request, query)
        case (.upload(let name, let id), .get):
            return try await uploadStatus(name, id)
        case (.upload(let name, let id), .patch):
            return try await patchUpload(name, id, request)
        case (.upload(let name, let id), .put):
            return try await putUpload(name, id, request, query)
        case (.upload(let name, let id), .delete):
            return try await cancelUpload(name, id)
        default:
            throw RegistryError(.unsupported, "\(method) is not supported on \(request.uri.path)", status: 405)
        }
    }

    // MARK: - Responses

    /// The header every answer carries.
    static let apiVersionHeader = "Docker-Distribution-API-Version"

    /// An answer with `headers` and a body in memory.
    static func response(
        _ status: HTTPResponse.Status, headers: [String: String] = [:], body: [UInt8] = [], contentType: String? = nil
    ) -> Response {
        var fields = Self.fields(headers)
        if let contentType { fields[.contentType] = contentType }
        fields[.contentLength] = String(body.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// `headers` plus the API version header.
    static func fields(_ headers: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        if let version = HTTPField.Name(apiVersionHeader) { fields[version] = "registry/2.0" }
        return fields
    }

    /// The spec's JSON error answer (headers only for a HEAD request).
    static func errorResponse(_ error: RegistryError, head: Bool) -> Response {
        let body = error.body
        var headerFields = fields(error.headers)
        headerFields[.contentType] = "application/json"
        headerFields[.contentLength] = String(body.count)
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headerFields,
            body: head ? .init() : .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
