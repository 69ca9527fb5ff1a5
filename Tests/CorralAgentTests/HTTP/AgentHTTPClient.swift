import CorralScheduler
import Foundation
import ServiceLifecycle
import Testing

@testable import CorralAgent

/// How a test reaches `AgentHTTP`: by calling `respond` in-process, or over a real socket on
/// 127.0.0.1 with the server on a port the system chose.
enum AgentHTTPTransport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inProcess, socket
    var testDescription: String { rawValue }
}

/// One answer, whichever way it came.
struct AgentHTTPReply {
    var status: Int
    /// Header values by lowercased name.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as JSON (nil if it is not).
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    /// The `message` of an error answer.
    var message: String { object["message"] as? String ?? "" }
}

/// Sends requests to an `AgentHTTP` over the transport under test.
struct AgentHTTPClient {
    let http: AgentHTTP
    /// The server's port (socket transport only).
    let port: Int?

    func get(_ uri: String) async throws -> AgentHTTPReply {
        try await send("GET", uri, headers: [:], body: [])
    }

    func post(_ uri: String, json: String, contentType: String? = "application/json") async throws -> AgentHTTPReply {
        var headers: [String: String] = [:]
        if let contentType { headers["Content-Type"] = contentType }
        return try await send("POST", uri, headers: headers, body: Array(json.utf8))
    }

    /// `POST /api/v1` with `{"type": type}` plus `payload` fields.
    func call(_ type: String, _ payload: String? = nil) async throws -> AgentHTTPReply {
        let field = type.lowercased()
        return try await post("/api/v1", json: payload.map { "{\"type\":\"\(type)\",\"\(field)\":\($0)}" } ?? "{\"type\":\"\(type)\"}")
    }

    func send(_ method: String, _ uri: String, headers: [String: String], body: [UInt8]) async throws -> AgentHTTPReply {
        guard let port else {
            let limit = AgentHTTP.maxBodyBytes
            let request = AgentHTTPRequest(
                method: method, uri: uri, headers: headers, body: Array(body.prefix(limit)), bodyTooLarge: body.count > limit)
            let response = await http.respond(request)
            let bytes: [UInt8]
            switch response.body {
            case .bytes(let data): bytes = data
            case .file(let opened): bytes = try opened.read(at: 0, count: opened.size)
            case .stream: bytes = []  // read with `subscribe`
            }
            return AgentHTTPReply(
                status: response.status, headers: Dictionary(uniqueKeysWithValues: response.headers.map { ($0.key.lowercased(), $0.value) }),
                body: bytes)
        }
        let client = HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(10))
        var request = HTTPStreamRequest(method: .init(rawValue: method), path: uri, body: body)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, host: "127.0.0.1", port: port, bodyLimitBytes: 8 << 20)
        var replyHeaders: [String: String] = [:]
        for (name, value) in response.headers { replyHeaders[name.lowercased()] = value }
        return AgentHTTPReply(status: Int(response.status.code), headers: replyHeaders, body: response.body)
    }

    /// Runs `body` with a client for `http` over `transport`; a socket server is stopped after.
    static func with<T>(
        _ http: AgentHTTP, _ transport: AgentHTTPTransport, _ body: (AgentHTTPClient) async throws -> T
    ) async throws -> T {
        guard transport == .socket else { return try await body(AgentHTTPClient(http: http, port: nil)) }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try http.application(onRunning: { continuation.yield($0) })
        let services = ServiceGroup(configuration: .init(services: [application], logger: http.logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await services.run()
            }
            do {
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next(), "the agent's HTTP server did not start")
                let result = try await body(AgentHTTPClient(http: http, port: port))
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                group.cancelAll()
                throw error
            }
        }
    }
}
