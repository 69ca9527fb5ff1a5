import CorralModel
import Foundation

// MARK: - POST /api/v1/executor: the v1 Executor HTTP API, JSON only

extension AgentHTTP {
    func executorAPI(_ request: AgentHTTPRequest) async -> AgentHTTPResponse {
        guard let executors else { return .problem(503, "this agent does not run executors") }
        if let refusal = Self.checkMediaTypes(request) { return refusal }
        if request.bodyTooLarge {
            return .problem(413, "the body exceeds \(Self.maxBodyBytes) bytes; an executor call is a small JSON document")
        }
        guard !request.body.isEmpty else {
            return .problem(400, "the body is empty; send an executor call such as {\"type\": \"SUBSCRIBE\", \"framework_id\": …, \"executor_id\": …}")
        }
        let call: ExecutorCall
        do {
            call = try MesosJSON.decode(ExecutorCall.self, from: request.body)
        } catch {
            return .problem(400, "malformed executor call: \(error)")
        }
        switch call.type {
        case .subscribe:
            switch await executors.subscribe(call) {
            case .success(let stream):
                return AgentHTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: .stream(stream))
            case .failure(let refusal):
                return .problem(refusal.status, refusal.message)
            }
        case .update, .message:
            if let refusal = await executors.accept(call) { return .problem(refusal.status, refusal.message) }
            return AgentHTTPResponse(status: 202)
        default:
            return .problem(400, "\"\(call.type.rawValue)\" is not an executor call; send SUBSCRIBE, UPDATE or MESSAGE")
        }
    }
}
