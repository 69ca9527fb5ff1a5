import CorralScheduler
import CorralSecurity
import NIOHTTP1

extension MasterClient {
    /// The scheme `endpoint` starts with (`http`, `https`), if any.
    static func scheme(of endpoint: String) -> String? { MasterScheme.split(endpoint).scheme }

    /// Whether `endpoint` is reached over HTTPS (it says `https://`, or says nothing and
    /// `tls` is set), and its `host:port`.
    public static func split(_ endpoint: String, tls: TLSIdentity?) -> (secure: Bool, endpoint: String) {
        let (scheme, address) = MasterScheme.split(endpoint)
        return (scheme.map { $0 == "https" } ?? (tls != nil), address)
    }

    /// One request over HTTPS (see `once`): the server's certificate must come from the CA
    /// `tls` trusts (the system's CAs without it) and name the host connected to.
    func tlsOnce(_ method: String, _ endpoint: String, _ path: String, body: [UInt8], headers: [String: String]) throws(MasterError) -> Response {
        guard let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]) else {
            throw MasterError(code: .request, message: "\(endpoint) is not host:port")
        }
        var host = String(endpoint[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var fields = HTTPHeaders([("Connection", "close")])
        if !body.isEmpty && headers.isEmpty { fields.add(name: "Content-Type", value: "application/json") }
        if let authorization, headers["Authorization"] == nil { fields.add(name: "Authorization", value: authorization) }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { fields.add(name: name, value: value) }
        let request = HTTPStreamRequest(method: HTTPMethod(rawValue: method), path: path, headers: fields, body: body)
        let identity: TLSIdentity
        do {
            identity = try tls ?? TLSIdentity(files: TLSFiles())
        } catch {
            throw MasterError(code: .request, message: "cannot set up TLS: \(error)")
        }
        let timeout = Duration.seconds(timeoutSeconds)
        let client = HTTPStreamClient(connectTimeout: timeout, readTimeout: timeout, tls: identity)
        do {
            let answer = try client.executeBlocking(request, host: host, port: port, bodyLimitBytes: 256 << 20)
            var fields: [String: String] = [:]
            for header in answer.headers { fields[header.name.lowercased()] = header.value }
            return Response(status: Int(answer.status.code), headers: fields, body: answer.body)
        } catch let error as SchedulerError {
            let code: MasterError.Code = error.code == .connectionFailed ? .unreachable : .request
            let cause = error.isTLSFailure ? "" : error.cause.map { ": \($0)" } ?? ""
            throw MasterError(code: code, message: "https://\(endpoint): \(error.message)\(cause)", underlying: error)
        } catch {
            throw MasterError(code: .request, message: "https://\(endpoint): \(error)")
        }
    }
}
