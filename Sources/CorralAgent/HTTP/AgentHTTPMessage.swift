import CorralModel
import Foundation

/// A request to the agent's HTTP API, as plain values: what `AgentHTTP.respond` answers.
/// The Hummingbird server makes one per request; tests can make their own.
struct AgentHTTPRequest: Sendable {
    var method: String
    /// Path and query, e.g. `/files/read?path=/x&offset=0`.
    var uri: String
    /// Header values by lowercased name.
    var headers: [String: String]
    var body: [UInt8]
    /// Set when the body was longer than `AgentHTTP.maxBodyBytes` (and so not read whole).
    var bodyTooLarge: Bool

    init(method: String = "GET", uri: String, headers: [String: String] = [:], body: [UInt8] = [], bodyTooLarge: Bool = false) {
        self.method = method
        self.uri = uri
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }

    /// The path, percent-decoded.
    var path: String { URLComponents(string: uri)?.path ?? uri }

    /// The query parameters, percent-decoded (the first of a repeated name).
    var query: [String: String] {
        let items = URLComponents(string: uri)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }
}

/// An answer of the agent's HTTP API.
struct AgentHTTPResponse: Sendable {
    enum Body: Sendable, Equatable {
        case bytes([UInt8])
        /// A whole file, opened and checked already, streamed from disk by the server.
        case file(OpenSandboxFile)
        /// RecordIO records written as they come (chunked) until they end: an executor's
        /// events, or a container's output.
        case stream(ExecutorEventStream)
    }

    var status: Int
    /// Headers by name, e.g. `Content-Type`.
    var headers: [String: String]
    var body: Body

    init(status: Int = 200, headers: [String: String] = [:], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// 200 with a JSON document.
    static func json(_ value: JSONValue, status: Int = 200) -> AgentHTTPResponse {
        AgentHTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: .bytes(value.encoded))
    }

    /// 200 with any Encodable value as JSON (sorted keys, slashes as they are).
    static func json(_ value: some Encodable) -> AgentHTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return AgentHTTPResponse(headers: ["Content-Type": "application/json"], body: .bytes([UInt8](try encoder.encode(value))))
        } catch {
            return problem(500, "cannot encode the answer: \(error)")
        }
    }

    /// Plain text, e.g. `GET /health`.
    static func text(_ text: String, status: Int = 200) -> AgentHTTPResponse {
        AgentHTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .bytes(Array(text.utf8)))
    }

    /// An error: `{"message": …}` with this status.
    static func problem(_ status: Int, _ message: String) -> AgentHTTPResponse {
        json(["message": .string(message)], status: status)
    }
}
