import CorralModel
import Foundation

extension AgentHTTP {
    /// The answer to one request that passed authentication and authorization.
    func route(_ request: AgentHTTPRequest) async -> AgentHTTPResponse {
        let path = request.path
        if path == "/api/v1/executor" {
            guard request.method == "POST" else { return methodNotAllowed(request, allowed: "POST") }
            return await executorAPI(request)
        }
        if path == "/api/v1" {
            guard request.method == "POST" else { return methodNotAllowed(request, allowed: "POST") }
            return await operatorAPI(request)
        }
        guard request.method == "GET" || request.method == "HEAD" else { return methodNotAllowed(request, allowed: "GET") }
        switch path {
        case "/health": return .text("ok\n")
        case "/version": return .json(versionV0)
        case "/flags", "/slave(1)/flags": return .json(["flags": AgentStateV0.flags(await view())])
        case "/state", "/state.json", "/slave(1)/state", "/slave(1)/state.json":
            return .json(AgentStateV0.state(await view()))
        case "/metrics": return await prometheus()
        case "/metrics/snapshot":
            let metrics = AgentOperatorViews.metrics(await view(), now: Date())
            return .json(.object(Dictionary(metrics.map { ($0.name, JSONValue.number($0.value)) }, uniquingKeysWith: { _, last in last })))
        case "/files/browse", "/files/browse.json": return Self.browse(request, files: files)
        case "/files/read", "/files/read.json": return Self.read(request, files: files)
        case "/files/download", "/files/download.json": return Self.download(request, files: files)
        case "/files/debug", "/files/debug.json": return .json(.object(files.attached.mapValues(JSONValue.string)))
        default:
            return .problem(404, "no endpoint at \(path); the agent serves \(Self.endpoints.joined(separator: ", "))")
        }
    }

    /// The endpoints, for the 404 message.
    static let endpoints = [
        "GET /health", "GET /version", "GET /flags", "GET /state", "GET /metrics", "GET /metrics/snapshot", "GET /files/browse",
        "GET /files/read", "GET /files/download", "GET /files/debug", "POST /api/v1", "POST /api/v1/executor",
    ]

    /// `GET /version`, in mesos-agent's shape.
    var versionV0: JSONValue {
        ["version": .string(CorralVersion.mesosCompatible), "corral_version": .string(CorralVersion.corral), "build_user": "corral"]
    }

    private func methodNotAllowed(_ request: AgentHTTPRequest, allowed: String) -> AgentHTTPResponse {
        var response = AgentHTTPResponse.problem(405, "\(request.path) expects \(allowed), not \(request.method)")
        response.headers["Allow"] = allowed
        return response
    }
}
