import CorralModel
import CorralReplication
import CorralScheduler
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The web dashboard: its page and files at `/` and `/ui/…`, and the few read-only `GET`
/// endpoints under `/ui/api/` that the page uses. Any master answers them: those that need
/// the leader are forwarded to it here, so the page works from whichever master it was
/// loaded from and, when that master dies, from any other (they carry
/// `Access-Control-Allow-Origin: *` for that; none of them changes anything).
extension MasterHTTP {
    func addDashboardRoutes(to router: Router<MasterRequestContext>) {
        router.get("/") { _, _ in Self.asset(DashboardAssets.index) }
        router.get("/ui/{file}") { _, context in
            guard let asset = DashboardAssets.files[context.parameters.get("file") ?? ""] else {
                return problem(.notFound, "no such dashboard file; the dashboard is at /")
            }
            return Self.asset(asset)
        }
        router.get("/ui/api/quorum") { _, _ in Self.allowingAnyOrigin(try json(await dashboardQuorum())) }
        router.get("/ui/api/call/{type}") { _, context in
            Self.allowingAnyOrigin(await dashboardCall(context.parameters.get("type") ?? ""))
        }
        router.get("/ui/api/subscribe") { _, context in Self.allowingAnyOrigin(await dashboardSubscribe(context)) }
        router.get("/ui/api/files/{operation}") { request, context in
            Self.allowingAnyOrigin(await dashboardFiles(request, operation: context.parameters.get("operation") ?? ""))
        }
    }

    // MARK: - The quorum

    /// What `GET /ui/api/quorum` answers: every member's own Raft status as it reports it
    /// (`error` instead when it did not answer), and which master answered.
    struct DashboardQuorum: Encodable {
        struct Member: Encodable {
            var id: UInt64
            var http: String
            var status: RaftStatus?
            var error: String?
        }

        var answeredBy: UInt64
        var clusterID: String
        var members: [Member]
    }

    /// Asks every member for its `/quorum/status`, all at once.
    func dashboardQuorum() async -> DashboardQuorum {
        let peers = master.directory.all.values.sorted { $0.id < $1.id }
        let own = master.config.nodeID
        let server = master.server
        var members = await withTaskGroup(of: DashboardQuorum.Member.self) { group in
            for peer in peers {
                group.addTask {
                    var member = DashboardQuorum.Member(id: peer.id, http: "\(peer.http)")
                    if peer.id == own {
                        member.status = await server.status
                        return member
                    }
                    do {
                        let answer = try await dashboardClient.execute(
                            AuthenticationMiddleware.forwardingCredentials(HTTPStreamRequest(path: "/quorum/status")),
                            host: peer.http.host, port: peer.http.port)
                        guard answer.status.code == 200 else { throw MasterError(code: .request, message: "HTTP \(answer.status.code)") }
                        member.status = try JSONDecoder().decode(QuorumStatus.self, from: Data(answer.body)).raft
                    } catch {
                        member.error = "\(error)"
                    }
                    return member
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        members.sort { $0.id < $1.id }
        return DashboardQuorum(answeredBy: own, clusterID: master.config.clusterID, members: members)
    }

    // MARK: - The leader's operator API

    /// `GET /ui/api/call/GET_…`: a read call of the operator API, answered by the leader.
    func dashboardCall(_ type: String) async -> Response {
        guard type.hasPrefix("GET_"), OperatorCall.Kind(rawValue: type) != nil else {
            return problem(.badRequest, "\"\(type)\" is not a read call of the operator API; the dashboard asks for GET_… calls only")
        }
        guard let leader = await leaderAddress() else { return problem(.serviceUnavailable, "no leader is known yet; retry shortly") }
        let request = HTTPStreamRequest(
            method: .POST, path: "/api/v1", headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: JSONValue.object(["type": .string(type)]).encoded)
        return await forward(request, to: leader, what: "the leader")
    }

    /// `GET /ui/api/subscribe`: the leader's operator SUBSCRIBE stream (JSON in RecordIO),
    /// passed through as it arrives. It ends when the leader's stream ends (the leader died
    /// or stepped down) or no leader is known; the page then asks again.
    func dashboardSubscribe(_ context: MasterRequestContext) async -> Response {
        guard let leader = await leaderAddress() else { return problem(.serviceUnavailable, "no leader is known yet; retry shortly") }
        let request = AuthenticationMiddleware.forwardingCredentials(HTTPStreamRequest(
            method: .POST, path: "/api/v1", headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: JSONValue.object(["type": "SUBSCRIBE"]).encoded))
        let watcher = try? await context.channel.pipeline.handler(type: ClientGoneHandler.self).get()
        // Heartbeats come every `heartbeatIntervalSeconds`: a longer silence means the leader is gone.
        let silence = Duration.seconds(max(5, 3 * master.config.scheduling.heartbeatIntervalSeconds))
        let client = HTTPStreamClient(connectTimeout: .seconds(1), readTimeout: silence, tls: tls)
        var headers = HTTPFields()
        headers[.contentType] = "application/recordio"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            do {
                try await client.stream(request, host: leader.host, port: leader.port) { response in
                    let control = response.control
                    watcher?.whenClientGone { control.close() }
                    guard response.status.code == 200 else { return }
                    for try await chunk in response.body { try await writer.write(chunk) }
                }
                try await writer.finish(nil)
            } catch {
                // The leader or the page went away; the page reconnects if it is still there.
            }
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The leader's HTTP address, when one is known.
    func leaderAddress() async -> PeerAddress? {
        let id = await master.server.leader.id
        guard id != 0 else { return nil }
        return master.directory.peer(id)?.http
    }

    // MARK: - Helpers

    /// Sends `request` to `address` and answers what it answered (status, type and body);
    /// 502 when it does not answer, 503 when a master answers that it does not lead.
    func forward(_ request: HTTPStreamRequest, to address: PeerAddress, what: String) async -> Response {
        let request = AuthenticationMiddleware.forwardingCredentials(request)
        do {
            let answer = try await dashboardClient.execute(request, host: address.host, port: address.port, bodyLimitBytes: 64 << 20)
            if answer.status.code == 307 { return problem(.serviceUnavailable, "\(what) at \(address) no longer leads; retry shortly") }
            var headers = HTTPFields()
            headers[.contentType] = answer.headers.first(name: "Content-Type") ?? "application/json"
            return Response(
                status: HTTPResponse.Status(code: Int(answer.status.code)), headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        } catch {
            return problem(.badGateway, "\(what) at \(address) did not answer: \(error)")
        }
    }

    static func asset(_ asset: DashboardAssets.File) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = asset.type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.text)))
    }

    static func allowingAnyOrigin(_ response: Response) -> Response {
        var response = response
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }
}
