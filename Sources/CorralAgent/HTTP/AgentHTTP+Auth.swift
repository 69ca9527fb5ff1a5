import CorralModel
import CorralSecurity
import Foundation

extension AgentHTTP {
    /// The answer to one request: its credentials checked first (when the agent was given a
    /// credentials file or JWT keys), then its ACL (when given `--acls`), then its route. Open
    /// without credentials: `/health`, and `/api/v1/executor` (executors are the agent's own
    /// children on this machine; Mesos gives them agent-signed tokens, Corral does not yet).
    func respond(_ request: AgentHTTPRequest) async -> AgentHTTPResponse {
        let path = request.path
        if path == "/health" || path == "/api/v1/executor" { return await route(request) }
        var principal: String?
        if let authenticator {
            switch authenticator.authenticate(request.headers["authorization"]) {
            case .refused(let reason):
                var response = AgentHTTPResponse.problem(401, "\(reason); \(authenticator.instructions)")
                response.headers["WWW-Authenticate"] = authenticator.wwwAuthenticate
                return response
            case .authenticated(let name): principal = name
            }
        }
        if let acls, let action = Self.action(of: request), !acls.allows(action, principal: principal) {
            let who = principal.map { "principal '\($0)'" } ?? "an unauthenticated caller"
            var response = AgentHTTPResponse.problem(403, "\(who) is not authorized to \(action.rawValue) on this agent by its ACLs")
            response.headers["X-Corral-Refused-Action"] = action.rawValue
            return response
        }
        return await route(request)
    }

    /// The ACL action a request needs: `access_sandboxes` to read sandboxes and container
    /// output, `view_agents` for the agent's state, `get_endpoints` for flags and metrics.
    /// Agent rules are matched by principal: their object (`users`, `paths`) should be ANY.
    static func action(of request: AgentHTTPRequest) -> ACLAction? {
        let path = request.path
        if path.hasPrefix("/files/") { return .accessSandboxes }
        if path == "/api/v1" {
            let call = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            switch call?["type"] as? String {
            case "LIST_FILES", "READ_FILE", "ATTACH_CONTAINER_OUTPUT": return .accessSandboxes
            case "GET_STATE", "GET_CONTAINERS", "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_TASKS", "GET_AGENT": return .viewAgents
            case "GET_FLAGS", "GET_METRICS": return .getEndpoints
            default: return nil
            }
        }
        if ["/state", "/state.json", "/slave(1)/state", "/slave(1)/state.json"].contains(path) { return .viewAgents }
        if ["/flags", "/slave(1)/flags", "/metrics", "/metrics/snapshot"].contains(path) { return .getEndpoints }
        return nil
    }
}
