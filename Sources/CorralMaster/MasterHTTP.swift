import CorralModel
import CorralRaft
import CorralReplication
import CorralScheduler
import CorralSecurity
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore

/// The master's HTTP endpoint: quorum status, membership operations and a key-value API.
/// Writes and linearizable reads on a follower answer 307 with the leader's address; with
/// no leader known they answer 503.
///
/// With `MasterConfig.tls` it serves HTTPS (the certificate and key are read again on the
/// handshake after their files changed) and reaches the other masters and the agents over
/// HTTPS, trusting the cluster's CA.
struct MasterHTTP: Sendable {
    let master: MasterProcess
    static let maxBodyBytes = 1 << 20
    /// The master's TLS files, loaded; nil: plain HTTP.
    let tls: TLSIdentity?
    /// Talks to the other masters and the agents on the dashboard's behalf; a master that
    /// does not answer within a second counts as down.
    let dashboardClient: HTTPStreamClient
    /// Request limits: bodies, rates, streams, connections, slow clients.
    let guards: MasterGuards

    /// The endpoint of `master`, with its TLS files (loaded by `MasterProcess`, which also
    /// uses them for the Raft port).
    init(master: MasterProcess) {
        self.master = master
        tls = master.tls
        dashboardClient = HTTPStreamClient(connectTimeout: .seconds(1), readTimeout: .seconds(3), tls: tls)
        guards = MasterGuards(master.config.limits)
    }

    func application(onRunning: @escaping @Sendable (Int) -> Void) throws -> some ApplicationProtocol {
        let router = Router(context: MasterRequestContext.self)
        addRequestCounting(to: router)
        if master.authenticator != nil || master.acls != nil {
            router.add(middleware: AuthenticationMiddleware(authenticator: master.authenticator, acls: master.acls))
        }
        // After authentication, so that rates are counted per principal (see `rateLimitKey`).
        router.add(middleware: RequestLimitsMiddleware(guards: guards))
        router.get("/health") { _, _ in "ok\n" }
        router.get("/quorum/status") { _, _ in try await json(master.quorumStatus()) }
        router.post("/quorum/add-learner") { request, context in try await membership(request, context, .addLearner) }
        router.post("/quorum/promote") { request, context in try await membership(request, context, .promote) }
        router.post("/quorum/remove") { request, context in try await membership(request, context, .remove) }
        router.post("/quorum/transfer-leader") { request, context in try await transfer(request, context) }
        router.put("/v1/kv/{key}") { request, context in try await put(request, context) }
        router.get("/v1/kv/{key}") { request, context in try await get(request, context) }
        router.post("/api/v1/scheduler") { request, context in try await scheduler(request, context) }
        router.post("/corral/v1/agent") { request, context in try await agent(request, context) }
        addOperatorRoutes(to: router)
        addDashboardRoutes(to: router)
        addMetricsRoutes(to: router)
        router.get("/version") { _, _ in try json(VersionInfo()) }
        router.get("/master/redirect") { request, _ in await redirect(request) }
        router.get("/redirect") { request, _ in await redirect(request) }
        let address = master.config.httpListen
        // Connections capped and slow clients cut off (see `MasterLimits`), under TLS when set.
        let guarded = HTTPServerBuilder.guardedHTTP1(
            gate: guards.connections, timeouts: guards.limits.timeouts, what: "this master (limits.max_connections)",
            additionalChannelHandlers: { [ClientGoneHandler()] })
        let server = try tls.map { try HTTPServerBuilder.tls(guarded, tlsConfiguration: $0.serverConfiguration(requireClientCertificate: false)) }
        return Application(
            router: router,
            server: server ?? guarded,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "corral-master"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? address.port) },
            logger: master.logger
        )
    }

    // MARK: - Routes

    private enum MembershipOperation { case addLearner, promote, remove }

    private struct MemberRequest: Decodable {
        var id: UInt64
        var raft: String?
        var http: String?
    }

    private func membership(_ request: Request, _ context: MasterRequestContext, _ operation: MembershipOperation) async throws -> Response {
        let body: MemberRequest = try await decode(request)
        return try await answer(request) {
            switch operation {
            case .addLearner:
                guard let raft = body.raft.flatMap(PeerAddress.init), let http = body.http.flatMap(PeerAddress.init) else {
                    throw MasterError(code: .request, message: "add-learner needs \"raft\" and \"http\" as host:port")
                }
                if try master.machine.value(for: MemberDirectory.removedKey(body.id)) != nil {
                    throw MasterError(
                        code: .request,
                        message: "node id \(body.id) was removed from this quorum, and node ids are never reused (a wiped "
                            + "member under an old id could vote a second time in a term it voted in before). Start the "
                            + "new member with a node id never used before")
                }
                let announcement = MemberDirectory.announcement(for: MasterConfig.Peer(id: body.id, raft: raft, http: http))
                _ = try await master.server.propose(
                    KeyValueStateMachine.Command.put(key: announcement.key, value: announcement.value).encoded)
                try await master.server.changeMembership(.addLearner(body.id))
            case .promote:
                try await master.server.changeMembership(.promote(body.id))
            case .remove:
                // Recorded first, so an id can never be removed without its retirement on record.
                _ = try await master.server.propose(
                    KeyValueStateMachine.Command.put(key: MemberDirectory.removedKey(body.id), value: Array("removed".utf8)).encoded)
                try await master.server.changeMembership(.remove(body.id))
            }
            return try json(await master.quorumStatus())
        }
    }

    private func transfer(_ request: Request, _ context: MasterRequestContext) async throws -> Response {
        let body: MemberRequest = try await decode(request)
        return try await answer(request) {
            try await master.server.transferLeadership(to: body.id)
            return try json(await master.quorumStatus())
        }
    }

    private func put(_ request: Request, _ context: MasterRequestContext) async throws -> Response {
        let key = Array((context.parameters.get("key") ?? "").utf8)
        let buffer = try await collect(request)
        let value = Array(buffer.readableBytesView)
        return try await answer(request) {
            let command = KeyValueStateMachine.Command.put(key: key, value: value).encoded
            if DeliberateBreak.active.contains(.ackBeforeCommit), await master.server.leader.id == master.config.nodeID {
                Task { [server = master.server] in _ = try? await server.propose(command) }
                return Response(status: .noContent)
            }
            _ = try await master.server.propose(command)
            return Response(status: .noContent)
        }
    }

    private func get(_ request: Request, _ context: MasterRequestContext) async throws -> Response {
        let key = Array((context.parameters.get("key") ?? "").utf8)
        return try await answer(request) {
            if !DeliberateBreak.active.contains(.localReads) { try await master.server.linearizableRead() }
            guard let value = try master.machine.value(for: key) else {
                return Response(status: .notFound)
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: value)))
        }
    }

    /// `GET /master/redirect`: 307 to the leader as `//host:port`, as Mesos answers.
    private func redirect(_ request: Request) async -> Response {
        redirect(to: await master.server.leader.id, path: "")
    }

    // MARK: - Helpers

    /// Runs a request that must reach the leader and answers what became of it: 307 to the
    /// leader (503 with none known), 503 not applied, 504 outcome unknown, 413 too large,
    /// 400 a bad request (see README, "What an answer means").
    private func answer(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as ReplicationError {
            switch error.code {
            case .notLeader: return redirect(to: error.leader, path: request.uri.path)
            case .outcomeUnknown: return outcomeUnknown(error.message)
            case .tooLarge: return problem(.contentTooLarge, error.message)
            case .invalidRequest: return problem(.badRequest, error.message)
            case .unavailable, .store, .corrupted: return problem(.serviceUnavailable, error.message)
            }
        } catch let error as MasterError {
            return problem(error.code == .tooLarge ? .contentTooLarge : .badRequest, error.message)
        }
    }

    private func collect(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            throw HTTPError(.contentTooLarge, message: "the body exceeds \(Self.maxBodyBytes) bytes")
        }
    }

    private func decode<T: Decodable>(_ request: Request) async throws -> T {
        let buffer = try await collect(request)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "malformed JSON body: \(error)")
        }
    }
}

func json(_ value: some Encodable) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// `504` with `{"message": …, "outcome": "unknown"}`: a write reached the leader's log but
/// the leader lost office before it learned whether it was committed. It may or may not take
/// effect; a client reads the state before it retries. Never a 503, which means "not applied".
func outcomeUnknown(_ message: String) -> Response {
    problem(.gatewayTimeout, message, fields: ["outcome": "unknown"])
}

func problem(_ status: HTTPResponse.Status, _ message: String, fields: [String: String] = [:]) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
    let body = (try? encoder.encode(fields.merging(["message": message]) { _, new in new })) ?? Data()
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
}

/// `GET /version`, in Mesos's shape (dotted integers only: clients parse them).
struct VersionInfo: Encodable {
    var version = CorralVersion.mesosCompatible
    var corral_version = CorralVersion.corral
    var build_user = "corral"
}
