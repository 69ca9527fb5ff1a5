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

    /// Runs one operation starting at `endpoints[first]`: on the KV API, or, for a key
    /// `weight:ROLE` or `quota:ROLE`, on the Operator API (`perform(_:on:value:first:)`).
    /// - 2xx (and 404 for a read) -> ok;
    /// - 503 -> fail: the contract under test says it was not applied;
    /// - 504, a timeout, a reset or a malformed answer after the request was sent -> info;
    /// - no leader to redirect to, a connection refused before anything was sent, or only
    ///   redirects -> fail (no master accepted the request);
    /// - any other status -> info, and the caller counts it as unexpected.
    public func perform(_ kind: ClientOperation.Kind, key: String, value: String?, first: Int) -> Result {
        if let register = OperatorRegister(key: key) { return perform(kind, on: register, value: value, first: first) }
        let request = Request(
            method: kind == .write ? "PUT" : "GET", path: "/v1/kv/\(key)", body: kind == .write ? Array((value ?? "").utf8) : [],
            headers: kind == .write ? ["Content-Type": "application/octet-stream"] : [:])
        return exchange(request, first: first) { response in
            switch (kind, response.status) {
            case (.read, 200): .ok(response.text)
            case (.read, 404), (.write, 200...299): .ok(nil)
            default: nil
            }
        }
    }

    /// One HTTP request of an operation.
    struct Request {
        var method: String
        var path: String
        var body: [UInt8]
        var headers: [String: String]
    }

    /// What an answer meant, when the API under test gave one of its own.
    enum Answer {
        case ok(String?)
        /// A 2xx whose body did not say what the contract promises: counted as unexpected.
        case malformed
    }

    /// Sends `request` to `endpoints[first]`, follows redirects to the leader, and turns the
    /// final answer into a result: `interpret` first, then the common statuses.
    func exchange(_ request: Request, first: Int, interpret: (MasterClient.Response) -> Answer?) -> Result {
        var endpoint = endpoints[first % endpoints.count]
        var path = request.path
        var trail: [String] = []
        for _ in 0..<5 {
            let response: MasterClient.Response
            do {
                response = try client.once(request.method, endpoint, path, body: request.body, headers: request.headers)
            } catch {
                trail.append("\(names[endpoint] ?? endpoint): \(error.code == .unreachable ? "refused" : "no answer") (\(error.message))")
                return Result(outcome: error.code == .unreachable ? .fail : .info, value: nil, evidence: trail.joined(separator: " -> "))
            }
            trail.append("\(names[endpoint] ?? endpoint): \(response.status)\(response.body.isEmpty ? "" : " \(response.text.prefix(160))")")
            let evidence = trail.joined(separator: " -> ")
            switch interpret(response) {
            case .ok(let value)?: return Result(outcome: .ok, value: value, evidence: evidence)
            case .malformed?: return Result(outcome: .info, value: nil, evidence: evidence, unexpected: true)
            case nil: break
            }
            switch response.status {
            case 503: return Result(outcome: .fail, value: nil, evidence: evidence)
            case 504: return Result(outcome: .info, value: nil, evidence: evidence)
            case 307, 308:
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
