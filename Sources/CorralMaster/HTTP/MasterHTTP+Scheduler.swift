import CorralModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPField.Name {
    static let mesosStreamID = named("Mesos-Stream-Id")
    static let agentStreamID = named("Corral-Agent-Stream-Id")
    static let messageContentType = named("Message-Content-Type")
    static let messageAccept = named("Message-Accept")

    /// A header name written here as a valid token; the fallback is never taken.
    private static func named(_ name: String) -> Self { Self(name) ?? .contentType }
}

extension MasterHTTP {
    /// `POST /api/v1/scheduler`: the Mesos v1 scheduler API in JSON.
    func scheduler(_ request: Request, _ context: MasterRequestContext) async throws -> Response {
        if let refusal = checkMediaTypes(request) { return refusal }
        let call: SchedulerCall
        switch await decodeBody(SchedulerCall.self, request) {
        case .success(let decoded): call = decoded
        case .failure(let refusal): return refusal.response
        }
        guard let type = call.type, SchedulerCall.Kind.known.contains(type), type != .unknown else {
            return problem(.badRequest, "unknown call type \"\(call.type?.rawValue ?? "")\"; see scheduler.proto Call.Type")
        }
        let streamID = request.headers[.mesosStreamID]
        return await answerLeader(request) {
            guard type == .subscribe else {
                try await master.leader.handle(call, streamID: streamID)
                return Response(status: .accepted)
            }
            guard streamID == nil else {
                throw MasterError(code: .request, message: "SUBSCRIBE must not carry a Mesos-Stream-Id header")
            }
            guard let subscribe = call.subscribe else {
                throw MasterError(code: .request, message: "the call's \"subscribe\" field is missing")
            }
            if let id = call.frameworkID, subscribe.frameworkInfo.id != id {
                throw MasterError(code: .request, message: "framework_id and subscribe.framework_info.id differ")
            }
            let (id, stream, records) = try await master.leader.subscribe(subscribe)
            return await streamResponse(request, context, records, extra: [.mesosStreamID: stream], end: .scheduler(id, stream))
        }
    }

    /// `POST /corral/v1/agent`: the agent protocol (see `Sources/CorralMaster/README.md`).
    func agent(_ request: Request, _ context: MasterRequestContext) async throws -> Response {
        if let refusal = checkMediaTypes(request) { return refusal }
        let call: AgentCall
        switch await decodeBody(AgentCall.self, request) {
        case .success(let decoded): call = decoded
        case .failure(let refusal): return refusal.response
        }
        guard AgentCall.Kind.known.contains(call.type) else {
            return problem(.badRequest, "unknown agent call type \"\(call.type.rawValue)\"")
        }
        let streamID = request.headers[.agentStreamID]
        return await answerLeader(request) {
            guard call.type == .subscribe else {
                try await master.leader.handle(call, streamID: streamID)
                return Response(status: .accepted)
            }
            guard let subscribe = call.subscribe else {
                throw MasterError(code: .request, message: "the call's \"subscribe\" field is missing")
            }
            let ip = context.channel.remoteAddress?.ipAddress
            let (id, stream, records) = try await master.leader.subscribeAgent(subscribe, from: ip)
            return await streamResponse(request, context, records, extra: [.agentStreamID: stream], end: .agent(id, stream))
        }
    }

    // MARK: - Shared

    /// A chunked RecordIO response. When the stream or the client's connection ends, the
    /// leader hears of it (`end`) and ends the subscription.
    func streamResponse(
        _ request: Request, _ context: MasterRequestContext, _ records: RecordStream, extra: [HTTPField.Name: String],
        end: MasterLeader.StreamEnd
    ) async -> Response {
        var headers = HTTPFields()
        let wantsRecordIO = request.headers[.accept]?.contains("application/recordio") ?? false
        headers[.contentType] = wantsRecordIO ? "application/recordio" : "application/json"
        if wantsRecordIO { headers[.messageContentType] = "application/json" }
        headers[.cacheControl] = "no-cache"
        for (name, value) in extra { headers[name] = value }
        let leader = master.leader
        if let watcher = try? await context.channel.pipeline.handler(type: ClientGoneHandler.self).get() {
            watcher.whenClientGone { leader.connectionClosed(end) }
        }
        let body = ResponseBody { writer in
            do {
                for await record in records {
                    try await writer.write(ByteBuffer(bytes: record))
                }
                try await writer.finish(nil)
            } catch {
                // The client went away; the subscription ends below.
            }
            leader.connectionClosed(end)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// 415 for protobuf (not supported yet), 406 when the client accepts no JSON.
    func checkMediaTypes(_ request: Request) -> Response? {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.contains("protobuf") {
            return problem(.unsupportedMediaType, "Content-Type \(contentType) is not supported yet; send application/json")
        }
        if !contentType.isEmpty && !contentType.hasPrefix("application/json") {
            return problem(.unsupportedMediaType, "Content-Type must be application/json, not \(contentType)")
        }
        if let accept = request.headers[.accept]?.lowercased(), !accept.isEmpty,
            !accept.contains("json"), !accept.contains("*/*"), !accept.contains("recordio")
        {
            return problem(.notAcceptable, "this master answers application/json only; Accept was \(accept)")
        }
        if let messageAccept = request.headers[.messageAccept]?.lowercased(), !messageAccept.isEmpty,
            !messageAccept.contains("json"), !messageAccept.contains("*/*")
        {
            return problem(.notAcceptable, "stream records are application/json only; Message-Accept was \(messageAccept)")
        }
        return nil
    }

    func decodeBody<T: Decodable>(_ type: T.Type, _ request: Request) async -> Result<T, RefusalResponse> {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            return .failure(RefusalResponse(problem(.contentTooLarge, "the body exceeds \(Self.maxBodyBytes) bytes")))
        }
        do {
            return .success(try MesosJSON.decode(T.self, from: buffer.readableBytesView))
        } catch {
            return .failure(RefusalResponse(problem(.badRequest, "malformed JSON: \(error.message)")))
        }
    }

    /// Runs a leader-only request; maps errors to statuses (503 not applied, 504 outcome
    /// unknown), and "not the leader" to 307 or 503.
    func answerLeader(_ request: Request, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as MasterError {
            switch error.code {
            case .notLeader: return await redirectToLeader(request)
            case .unavailable: return problem(.serviceUnavailable, error.message)
            case .outcomeUnknown: return outcomeUnknown(error.message)
            case .tooLarge: return problem(.contentTooLarge, error.message)
            case .forbidden: return problem(.forbidden, error.message)
            case .notFound: return problem(.notFound, error.message)
            default: return problem(.badRequest, error.message)
            }
        } catch {
            return problem(.internalServerError, "\(error)")
        }
    }

    /// 307 to the same path on the leader, or 503 when no leader is known.
    func redirectToLeader(_ request: Request) async -> Response {
        let leaderID = await master.server.leader.id
        // This master leading but not serving yet (catching up) is "no leader yet" too.
        let query = request.uri.query.map { "?\($0)" } ?? ""
        return redirect(to: leaderID == master.config.nodeID ? 0 : leaderID, path: request.uri.path + query)
    }

    /// 307 to `path` on master `leaderID`, written `//host:port/path` (a network-path
    /// reference, as Mesos writes it), or 503 when no such master is known.
    func redirect(to leaderID: UInt64, path: String) -> Response {
        guard leaderID != 0, let leader = master.directory.peer(leaderID) else {
            return problem(.serviceUnavailable, "no leader is known yet; retry shortly")
        }
        var headers = HTTPFields()
        headers[.location] = "//\(leader.http)\(path)"
        return Response(status: .temporaryRedirect, headers: headers)
    }
}

/// A refusal carried through a `Result`.
struct RefusalResponse: Error {
    var response: Response
    init(_ response: Response) { self.response = response }
}
