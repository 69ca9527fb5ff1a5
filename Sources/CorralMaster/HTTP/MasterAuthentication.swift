import CorralScheduler
import CorralSecurity
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Authenticates every request of the routes added after it, when the master was given
/// credentials or JWT keys: a request without valid credentials gets 401 with
/// `WWW-Authenticate` and never reaches its route, so nothing is applied. The authenticated
/// principal goes into the context for the routes' authorization checks. With ACLs but no
/// authentication every caller is unauthenticated (principal nil), which only rules for
/// `{"type": "ANY"}` principals match.
///
/// Open without credentials (as Mesos leaves them open): `/health`, `/master/health`, the
/// dashboard's static page and files (`/`, `/ui/<file>`; they hold no cluster data, and the
/// page's own `/ui/api/` calls are authenticated), and `/redirect`, `/master/redirect`.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = MasterRequestContext
    let authenticator: HTTPAuthenticator?
    let acls: ACLs?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if Self.isOpen(path) { return try await next(request, context) }
        var context = context
        if let authenticator {
            switch authenticator.authenticate(request.headers[.authorization]) {
            case .refused(let reason): return Self.unauthorized(reason, authenticator)
            case .authenticated(let principal): context.principal = principal
            }
        }
        if let acls, let needed = EndpointACL.action(method: request.method, path: path),
            !acls.allows(needed.action, principal: context.principal, object: needed.object)
        {
            return forbidden(needed.action, principal: context.principal, object: needed.object)
        }
        let authorized = context
        return try await Self.$callerAuthorization.withValue(request.headers[.authorization]) {
            try await next(request, authorized)
        }
    }

    /// The `Authorization` header of the request being served: the dashboard's calls forward
    /// it to the leader, the other masters and agents, which check it themselves.
    @TaskLocal static var callerAuthorization: String?

    /// `request` with the caller's `Authorization`, if it sent one.
    static func forwardingCredentials(_ request: HTTPStreamRequest) -> HTTPStreamRequest {
        var request = request
        if let authorization = callerAuthorization { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
        return request
    }

    /// Paths served without credentials.
    static func isOpen(_ path: String) -> Bool {
        if ["/health", "/master/health", "/", "/redirect", "/master/redirect"].contains(path) { return true }
        return path.hasPrefix("/ui/") && !path.hasPrefix("/ui/api/") && path.dropFirst(4).firstIndex(of: "/") == nil
    }

    /// 401 with `WWW-Authenticate` naming a challenge per accepted scheme (comma-separated,
    /// as RFC 7235 allows), and a body saying why and what to send.
    static func unauthorized(_ reason: String, _ authenticator: HTTPAuthenticator) -> Response {
        var response = problem(.unauthorized, "\(reason); \(authenticator.instructions)")
        response.headers[.wwwAuthenticate] = authenticator.wwwAuthenticate
        return response
    }
}

/// 403 naming the action refused, the principal and the object.
func forbidden(_ action: ACLAction, principal: String?, object: String? = nil) -> Response {
    problem(.forbidden, ACLRefusal(action: action, principal: principal, object: object).message,
        fields: ["action": action.rawValue, "principal": principal ?? ""])
}

/// What an ACL refused, for 403 bodies and task errors.
struct ACLRefusal: Error {
    var action: ACLAction
    var principal: String?
    var object: String?

    var message: String {
        let who = principal.map { "principal '\($0)'" } ?? "an unauthenticated caller"
        let what = object.map { " (\(action.objectField ?? "object") '\($0)')" } ?? ""
        return "\(who) is not authorized to \(action.rawValue)\(what) by the master's ACLs"
    }
}

/// The endpoints whose ACL is decided by path alone. The scheduler and operator APIs are
/// checked per call, and the state endpoints filter what the principal may view.
enum EndpointACL {
    static func action(method: HTTPRequest.Method, path: String) -> (action: ACLAction, object: String?)? {
        if method == .post, path.hasPrefix("/quorum/") { return (.updateMembership, nil) }
        let getEndpoints = [
            "/metrics", "/metrics/snapshot", "/flags", "/master/flags", "/logging/toggle", "/version",
        ]
        if getEndpoints.contains(path) { return (.getEndpoints, path) }
        if path.hasPrefix("/v1/kv/") { return (.getEndpoints, "/v1/kv") }
        if path.hasPrefix("/ui/api/") { return (.getEndpoints, "/ui/api") }
        for prefix in ["/master", ""] {
            if method == .post, path == prefix + "/teardown" { return nil }  // checked against the framework's principal
            if method == .post, [prefix + "/maintenance/schedule", prefix + "/machine/down", prefix + "/machine/up"].contains(path) {
                return (.updateMaintenance, nil)
            }
        }
        return nil
    }
}
