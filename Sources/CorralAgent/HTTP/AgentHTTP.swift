import CorralModel
import CorralSecurity
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix

/// The agent's HTTP server, as mesos-agent's: health, version, flags and metrics, `GET /state`
/// in Mesos's v0 JSON, `/files` confined to the sandboxes, and the v1 Agent Operator API at
/// `POST /api/v1` (JSON), and the v1 Executor API at `POST /api/v1/executor` (served by `executors`).
///
/// Every request asks `view` for a fresh `AgentView`; the server holds no agent state of its
/// own. `respond(_:)` answers a request given as plain values, so the routes can be tested
/// without a socket; `application(onRunning:)` serves them with Hummingbird.
public struct AgentHTTP: Sendable {
    /// The largest request body read (`POST /api/v1`); larger ones are answered 413.
    public static let maxBodyBytes = 1 << 20

    /// What the agent looks like now.
    public let view: @Sendable () async -> AgentView
    /// The sandboxes `/files` serves.
    public let files: SandboxFiles
    /// Where to listen; port 0 lets the system choose (reported to `onRunning`).
    public let listen: ListenAddress
    /// The server's logger (Hummingbird logs start, stop and failed requests to it).
    public let logger: Logger
    /// What answers `/api/v1/executor`; nil: the agent runs no executors (503).
    public let executors: (any ExecutorEndpoint)?
    /// This agent's metrics (`GET /metrics`).
    public let metrics: AgentMetrics
    /// The agent's certificate and key: set, the server speaks HTTPS only (reading the files
    /// again on the handshake after they changed); nil, plain HTTP.
    public var tls: TLSIdentity?
    /// Checks every request's credentials (`corral agent --credentials`, `--jwt-…`); nil:
    /// authentication is off.
    public var authenticator: HTTPAuthenticator?
    /// Who may read sandboxes and state (`corral agent --acls`); nil: everyone who authenticated.
    public var acls: ACLs?
    /// Request rates, connections and slow clients (see `AgentLimits`).
    let guards: AgentGuards

    /// A server for the agent whose state `view` gives, serving `files`, listening on `listen`.
    public init(
        view: @escaping @Sendable () async -> AgentView, files: SandboxFiles, listen: ListenAddress,
        logger: Logger = Logger(label: "corral.agent.http"), executors: (any ExecutorEndpoint)? = nil,
        metrics: AgentMetrics = AgentMetrics(), limits: AgentLimits = AgentLimits()
    ) {
        self.guards = AgentGuards(limits)
        self.executors = executors
        self.metrics = metrics
        self.view = view
        self.files = files
        self.listen = listen
        self.logger = logger
    }

    /// The Hummingbird application; run it with `runService()` or in a `ServiceGroup`.
    /// `onRunning` gets the port the server is bound to once it accepts connections. Throws
    /// when `tls` has no certificate and key.
    public func application(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) throws -> some ApplicationProtocol {
        let address = listen
        let responder = CallbackResponder<AgentRequestContext> { request, context in
            await serve(request, context)
        }
        let guarded = HTTPServerBuilder.guardedHTTP1(
            gate: guards.connections, timeouts: guards.limits.timeouts, what: "this agent (--max-connections)")
        let server = try tls.map { try HTTPServerBuilder.tls(guarded, tlsConfiguration: $0.serverConfiguration(requireClientCertificate: false)) }
        return Application(
            responder: responder,
            server: server ?? guarded,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "corral-agent"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? address.port) },
            logger: logger
        )
    }

    // MARK: - Hummingbird adapter

    private func serve(_ request: Request, _ context: AgentRequestContext) async -> Response {
        if let refusal = guards.rateRefusal(rateLimitKey(request, context)), case .bytes(let bytes) = refusal.body {
            return Response(
                status: HTTPResponse.Status(code: refusal.status), headers: Self.fields(refusal.headers),
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        var body: [UInt8] = []
        var tooLarge = false
        if request.method == .post || request.method == .put {
            do {
                body = Array(try await request.body.collect(upTo: Self.maxBodyBytes).readableBytesView)
            } catch is NIOTooManyBytesError {
                tooLarge = true
            } catch {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "cannot read the request body: \(error)")))
            }
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let plain = AgentHTTPRequest(
            method: request.method.rawValue, uri: request.uri.string, headers: headers, body: body, bodyTooLarge: tooLarge)
        let answer = await respond(plain)
        count(plain, answer)
        let fields = Self.fields(answer.headers)
        let status = HTTPResponse.Status(code: answer.status)
        switch answer.body {
        case .bytes(let bytes):
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stream(let stream):
            let records = stream.records
            return Response(status: status, headers: fields, body: ResponseBody { writer in
                for await record in records { try await writer.write(ByteBuffer(bytes: record)) }
                try await writer.finish(nil)
            })
        case .file(let opened):
            return Response(status: status, headers: fields, body: ResponseBody { writer in
                var offset = 0
                while offset < opened.size {
                    let start = offset
                    let chunk = try await NIOThreadPool.singleton.runIfActive {
                        try opened.read(at: start, count: min(1 << 16, opened.size - start))
                    }
                    if chunk.isEmpty { break }
                    try await writer.write(ByteBuffer(bytes: chunk))
                    offset += chunk.count
                }
                try await writer.finish(nil)
            })
        }
    }

    private static func fields(_ headers: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            // HTTPField itself is not visible here: CorralAgent does not depend on HTTPTypes.
            if let name = HTTPFields.Element.Name(name) { fields[name] = value }
        }
        return fields
    }
}
