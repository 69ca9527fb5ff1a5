import CorralModel
import CorralProtobuf
import CorralSecurity
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
    /// `POST /api/v1/scheduler`: the Mesos v1 scheduler API, in JSON or protobuf (the body's
    /// `Content-Type`), answered and streamed in the format `Accept` names.
    func scheduler(_ request: Request, _ context: MasterRequestContext) async throws -> Response {
        let formats: Negotiation
        switch negotiate(request) {
        case .success(let negotiated): formats = negotiated
        case .failure(let refusal): return refusal.response
        }
        let call: SchedulerCall
        switch await decodeBody(SchedulerCall.self, as: Mesos_V1_Scheduler_Call.self, format: formats.body, request) {
        case .success(let decoded): call = decoded
        case .failure(let refusal): return refusal.response
        }
        guard let type = call.type, SchedulerCall.Kind.known.contains(type), type != .unknown else {
            return problem(.badRequest, "unknown call type \"\(call.type?.rawValue ?? "")\"; see scheduler.proto Call.Type")
        }
        master.metrics?.requests.call(api: "scheduler", type: type.rawValue)
        if let refusal = schedulerRefusal(call, context.principal) { return refusal }
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
            guard let slot = guards.schedulerStreams.take() else { return guards.schedulerStreams.refusal }
            let (id, stream, records) = try await master.leader.subscribe(subscribe)
            return await streamResponse(
                request, context, records, extra: [.mesosStreamID: stream], end: .scheduler(id, stream), slot: slot,
                formats: formats, as: Mesos_V1_Scheduler_Event.self)
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
        master.metrics?.requests.call(api: "agent", type: call.type.rawValue)
        if call.type == .subscribe, let refusal = authorize([(.registerAgents, nil)], context.principal) { return refusal }
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
            case .conflict: return problem(.conflict, error.message)
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
    /// reference, as Mesos writes it; `https://host:port/path` with TLS, so no client can
    /// take it for plain HTTP), or 503 when no such master is known.
    func redirect(to leaderID: UInt64, path: String) -> Response {
        guard leaderID != 0, let leader = master.directory.peer(leaderID) else {
            return problem(.serviceUnavailable, "no leader is known yet; retry shortly")
        }
        var headers = HTTPFields()
        headers[.location] = "\(tls == nil ? "" : "https:")//\(leader.http)\(path)"
        return Response(status: .temporaryRedirect, headers: headers)
    }
}

/// A refusal carried through a `Result`.
struct RefusalResponse: Error {
    var response: Response
    init(_ response: Response) { self.response = response }
}
