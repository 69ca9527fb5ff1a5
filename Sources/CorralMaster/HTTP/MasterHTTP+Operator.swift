import CorralModel
import CorralProtobuf
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension MasterHTTP {
    /// The operator API (`POST /api/v1`) and the v0 state endpoints.
    func addOperatorRoutes(to router: Router<MasterRequestContext>) {
        // libprocess answers by the longest prefix: pymesos posts to /api/v1/operator, and the
        // master's own process serves /master/api/v1.
        for path in ["/api/v1", "/api/v1/operator", "/master/api/v1"] {
            router.post(RouterPath(path)) { request, context in await operatorAPI(request, context) }
            router.get(RouterPath(path)) { _, _ in problem(.methodNotAllowed, "the operator API expects POST") }
        }
        for path in ["/master/state", "/state", "/master/state.json", "/state.json"] {
            router.get(RouterPath(path)) { request, context in await stateV0(request, context) }
        }
        for path in ["/slaves", "/master/slaves", "/slaves.json", "/master/slaves.json"] {
            router.get(RouterPath(path)) { request, context in
                await v0(request, context) { snapshot, _ in MasterEndpointsV0.slaves(snapshot) }
            }
        }
        for path in ["/frameworks", "/master/frameworks", "/frameworks.json", "/master/frameworks.json"] {
            router.get(RouterPath(path)) { request, context in
                await v0(request, context) { snapshot, query in MasterEndpointsV0.frameworks(snapshot, frameworkID: query["framework_id"]) }
            }
        }
        for path in ["/tasks", "/master/tasks", "/tasks.json", "/master/tasks.json"] {
            router.get(RouterPath(path)) { request, context in
                await v0(request, context) { snapshot, query throws(MasterError) in try MasterEndpointsV0.tasks(snapshot, query: query) }
            }
        }
        router.get("/master/health") { _, _ in Response(status: .ok) }
        addAdminRoutesV0(to: router)
    }

    /// A v0 endpoint answered by the leader from its operator snapshot and the query string.
    func v0(
        _ request: Request, _ context: MasterRequestContext,
        _ make: (OperatorSnapshot, [String: String]) throws(MasterError) -> JSONValue
    ) async -> Response {
        await answerLeader(request) {
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
            return jsonResponse(try make(try await visibleSnapshot(context.principal), query))
        }
    }

    /// `POST /api/v1`: the Mesos v1 operator API, in JSON or protobuf (the body's
    /// `Content-Type`; the answer in the format `Accept` names). Every call is answered by the
    /// leader (others answer 307 to it, as Mesos masters do); reads come from its registry,
    /// writes are committed before the answer (202).
    func operatorAPI(_ request: Request, _ context: MasterRequestContext) async -> Response {
        let formats: Negotiation
        switch negotiate(request) {
        case .success(let negotiated): formats = negotiated
        case .failure(let refusal): return refusal.response
        }
        let call: OperatorCall
        switch await decodeBody(OperatorCall.self, as: Mesos_V1_Master_Call.self, format: formats.body, request) {
        case .success(let decoded): call = decoded
        case .failure(let refusal): return refusal.response
        }
        guard let type = call.type, !type.isEmpty else {
            return problem(.badRequest, "the call has no \"type\"; see master.proto Call.Type")
        }
        master.metrics?.requests.call(api: "operator", type: OperatorCall.Kind(rawValue: type) == nil ? "other" : type)
        guard let kind = OperatorCall.Kind(rawValue: type) else {
            if OperatorCall.unsupported.contains(type) {
                return problem(.badRequest, "call type \"\(type)\" is not supported by Corral")
            }
            return problem(.badRequest, "unknown call type \"\(type)\"; see master.proto Call.Type")
        }
        if let refusal = authorize(operatorChecks(kind, call), context.principal) { return refusal }
        if kind == .getLoggingLevel || kind == .setLoggingLevel { return loggingLevel(kind, call, formats.answer) }
        let make: (@Sendable (UInt64) -> RegistryCommand)?
        do {
            make = kind.isMutating ? try call.command(for: kind) : nil
        } catch {
            return problem(.badRequest, error.message)
        }
        return await answerLeader(request) {
            if let make {
                // Offers on the agent may name what is reserved or freed: they are rescinded
                // in the step that proposes the command.
                try await master.leader.commitOperator(reshaping: call.reshapedAgent, make)
                return Response(status: .accepted)
            }
            if kind == .subscribe { return try await operatorSubscribe(request, context, formats) }
            if kind == .killTask {
                guard let kill = call.killTask else { throw MasterError(code: .request, message: "the call's \"kill_task\" field is missing") }
                _ = try await master.leader.operatorKill(kill.taskID, frameworkID: kill.frameworkID)
                return Response(status: .accepted)
            }
            return try await operatorRead(kind, formats.answer, principal: context.principal)
        }
    }

    /// A read call's response: `{"type": kind, "<kind lowercased>": {...}}`. A read of the
    /// registry is linearizable, like a KV read: the leader first confirms with a quorum that
    /// it still leads (Raft's read index) and has applied what was committed before the read
    /// arrived, so a leader cut off from the others never answers from a stale registry.
    private func operatorRead(_ kind: OperatorCall.Kind, _ format: MessageFormat, principal: String?) async throws -> Response {
        if kind.readsRegistry, !DeliberateBreak.active.contains(.localReads) {
            _ = try await master.leader.requireLeading()
            do { try await master.server.linearizableRead() } catch { throw MasterError.reading(error) }
        }
        let snapshot = try await visibleSnapshot(principal)
        let body: JSONValue
        switch kind {
        case .getHealth: body = OperatorInfo.health
        case .getVersion: body = OperatorInfo.version
        case .getFlags: body = OperatorInfo.getFlags(snapshot.config)
        case .getMetrics: body = OperatorInfo.getMetrics(await master.figures())
        case .getMaster: body = OperatorInfo.getMaster(snapshot, raft: await master.server.status)
        case .getState: body = OperatorState.getState(snapshot)
        case .getAgents: body = OperatorState.getAgents(snapshot)
        case .getFrameworks: body = OperatorState.getFrameworks(snapshot)
        case .getExecutors: body = OperatorState.getExecutors(snapshot)
        case .getTasks: body = OperatorState.getTasks(snapshot)
        case .getRoles: body = OperatorState.getRoles(snapshot)
        case .getWeights: body = OperatorState.getWeights(snapshot)
        case .getQuota: body = OperatorState.getQuota(snapshot)
        case .getMaintenanceSchedule: body = OperatorState.getMaintenanceSchedule(snapshot)
        case .getMaintenanceStatus: body = ["status": MasterEndpointsV0.maintenanceStatus(snapshot)]
        case .getOperations: body = OperatorState.getOperations(snapshot)
        default: throw MasterError(code: .request, message: "\(kind.rawValue) is not a read call")
        }
        return answer(["type": .string(kind.rawValue), kind.field: body], format, as: Mesos_V1_Master_Response.self)
    }

    /// SUBSCRIBE: a RecordIO stream, SUBSCRIBED (with the state) first, then the events
    /// `MasterLeader.publish` sends and heartbeats.
    private func operatorSubscribe(
        _ request: Request, _ context: MasterRequestContext, _ formats: Negotiation
    ) async throws -> Response {
        guard let slot = guards.operatorStreams.take() else { return guards.operatorStreams.refusal }
        let heartbeat = master.config.scheduling.heartbeatIntervalSeconds
        let (id, records) = try await master.leader.subscribeOperator { snapshot in
            [
                "type": "SUBSCRIBED",
                "subscribed": ["get_state": OperatorState.getState(snapshot), "heartbeat_interval_seconds": .number(heartbeat)],
            ]
        }
        return await streamResponse(
            request, context, records, extra: [:], end: .operatorStream(id), slot: slot, formats: formats,
            as: Mesos_V1_Master_Event.self)
    }

    /// `GET /master/state` (and `/state`, `/master/state.json`, `/state.json`).
    func stateV0(_ request: Request, _ context: MasterRequestContext) async -> Response {
        await answerLeader(request) {
            jsonResponse(MasterStateV0.state(try await visibleSnapshot(context.principal)))
        }
    }

    func jsonResponse(_ value: JSONValue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.encoded)))
    }
}
