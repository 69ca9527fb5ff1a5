import CorralHistory
import CorralMaster
import Foundation

/// One client of the register test: reads and writes keys through the KV API of any master,
/// follows 307s to the leader itself, and says exactly what each answer means for the
/// history.
public struct RegisterClient: Sendable {
    /// What came back, as the checker needs it, and the HTTP evidence for a report.
    public struct Result: Sendable {
        public var outcome: ClientOperation.Outcome
        public var value: String?
        public var evidence: String
        /// A status outside the KV API's contract (for example 500); the test fails on it.
        public var unexpected = false
    }

    public let client: MasterClient
    public let endpoints: [String]
    /// Names for endpoints in the evidence, e.g. "m2"; an endpoint without one is shown as is.
    public var names: [String: String] = [:]

    /// A client of `endpoints` (host:port of each master's HTTP API).
    public init(client: MasterClient, endpoints: [String], names: [String: String] = [:]) {
        self.client = client
        self.endpoints = endpoints
        self.names = names
    }

    /// Runs one operation starting at `endpoints[first]`:
    /// - 2xx (and 404 for a read) -> ok;
    /// - 503 -> fail: the contract under test says it was not applied;
    /// - 504, a timeout, a reset or a malformed answer after the request was sent -> info;
    /// - no leader to redirect to, a connection refused before anything was sent, or only
    ///   redirects -> fail (no master accepted the request);
    /// - any other status -> info, and the caller counts it as unexpected.
    public func perform(_ kind: ClientOperation.Kind, key: String, value: String?, first: Int) -> Result {
        var endpoint = endpoints[first % endpoints.count]
        var path = "/v1/kv/\(key)"
        var trail: [String] = []
        for _ in 0..<5 {
            let response: MasterClient.Response
            do {
                response = try client.once(
                    kind == .write ? "PUT" : "GET", endpoint, path, body: kind == .write ? Array((value ?? "").utf8) : [],
                    headers: kind == .write ? ["Content-Type": "application/octet-stream"] : [:])
            } catch {
                trail.append("\(names[endpoint] ?? endpoint): \(error.code == .unreachable ? "refused" : "no answer") (\(error.message))")
                return Result(outcome: error.code == .unreachable ? .fail : .info, value: nil, evidence: trail.joined(separator: " -> "))
            }
            trail.append("\(names[endpoint] ?? endpoint): \(response.status)\(response.body.isEmpty ? "" : " \(response.text.prefix(160))")")
            let evidence = trail.joined(separator: " -> ")
            switch (kind, response.status) {
            case (.read, 200): return Result(outcome: .ok, value: response.text, evidence: evidence)
            case (.read, 404): return Result(outcome: .ok, value: nil, evidence: evidence)
            case (.write, 200...299): return Result(outcome: .ok, value: nil, evidence: evidence)
            case (_, 503): return Result(outcome: .fail, value: nil, evidence: evidence)
            case (_, 504): return Result(outcome: .info, value: nil, evidence: evidence)
            case (_, 307), (_, 308):
                guard let location = response.headers["location"], let url = URLComponents(string: location),
                    let host = url.host, let port = url.port
                else { return Result(outcome: .fail, value: nil, evidence: evidence + " (no leader to follow)") }
                endpoint = "\(host):\(port)"
                path = url.path
            default:
                return Result(outcome: .info, value: nil, evidence: evidence, unexpected: true)
            }
        }
        return Result(outcome: .fail, value: nil, evidence: trail.joined(separator: " -> ") + " (only redirects)")
    }
}
