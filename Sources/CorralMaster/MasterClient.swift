import CorralSecurity
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking HTTP/1.1 client for the CLI, tests and benchmarks: one request per
/// connection, redirects to the leader followed.
public struct MasterClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public var timeoutSeconds: Int
    /// TLS for HTTPS: the CA trusted for the servers (and a certificate to present). With it,
    /// an endpoint without a scheme is reached over HTTPS; without it, only `https://`
    /// endpoints are (trusting the system's CAs).
    public var tls: TLSIdentity?
    /// The `Authorization` header every request carries (see `ClientCredentials`); nil: none.
    public var authorization: String?

    public init(timeoutSeconds: Int = 5, tls: TLSIdentity? = nil) {
        self.timeoutSeconds = timeoutSeconds
        self.tls = tls
    }

    /// Sends a request to `endpoint` (`host:port`, `https://host:port`), following up to 5 redirects.
    public func request(_ method: String, _ endpoint: String, _ path: String, body: [UInt8] = []) throws(MasterError) -> Response {
        var target = (endpoint, path)
        for _ in 0..<5 {
            let response = try once(method, target.0, target.1, body: body)
            guard response.status == 307 || response.status == 308, let location = response.headers["location"],
                let url = URLComponents(string: location), let host = url.host, let port = url.port
            else { return response }
            // `//host:port/path` keeps the scheme the request used.
            let scheme = url.scheme.map { "\($0)://" } ?? (Self.scheme(of: target.0).map { "\($0)://" } ?? "")
            target = ("\(scheme)\(host):\(port)", url.percentEncodedPath + (url.percentEncodedQuery.map { "?\($0)" } ?? ""))
        }
        throw MasterError(code: .request, message: "too many redirects from \(endpoint)\(path)")
    }

    /// Decodes a JSON answer, or says what the server said instead: a `504` throws
    /// `.outcomeUnknown` (the write may or may not have taken effect), a `503` `.unavailable`
    /// (not applied), a `413` `.tooLarge`, anything else `.request`.
    public func json<T: Decodable>(_ type: T.Type, _ method: String, _ endpoint: String, _ path: String, body: [UInt8] = []) throws(MasterError) -> T {
        let response = try request(method, endpoint, path, body: body)
        guard response.status == 200 else {
            let said = "\(method) \(endpoint)\(path) answered \(response.status): \(response.text)"
            switch response.status {
            case 504: throw MasterError(code: .outcomeUnknown, message: said)
            case 503: throw MasterError(code: .unavailable, message: said)
            case 413: throw MasterError(code: .tooLarge, message: said)
            default: throw MasterError(code: .request, message: said)
            }
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw MasterError(code: .request, message: "\(endpoint)\(path) answered malformed JSON", underlying: error)
        }
    }

    /// One request, without following redirects; `headers` replace the default content type.
    /// A failure to connect throws `.unreachable` (nothing was sent); any later failure
    /// (sending, a timeout, a reset, a malformed answer) throws `.request`, and the server may
    /// have acted on the request.
    public func once(
        _ method: String, _ endpoint: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:]
    ) throws(MasterError) -> Response {
        let (secure, endpoint) = Self.split(endpoint, tls: tls)
        if secure { return try tlsOnce(method, endpoint, path, body: body, headers: headers) }
        guard let colon = endpoint.lastIndex(of: ":"), let port = UInt16(endpoint[endpoint.index(after: colon)...]) else {
            throw MasterError(code: .request, message: "\(endpoint) is not host:port")
        }
        let host = String(endpoint[..<colon])
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MasterError(code: .request, message: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard let resolved = Self.ipv4(host) else {
            throw MasterError(code: .unreachable, message: "cannot resolve \(host) to an IPv4 address")
        }
        address.sin_addr = resolved
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            throw MasterError(code: .unreachable, message: "cannot connect to \(endpoint): \(String(cString: strerror(errno)))")
        }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(endpoint)\r\nConnection: close\r\n"
        request += "Content-Length: \(body.count)\r\n"
        if !body.isEmpty && headers.isEmpty { request += "Content-Type: application/json\r\n" }
        if let authorization, headers["Authorization"] == nil { request += "Authorization: \(authorization)\r\n" }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let wrote = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard wrote > 0 else { throw MasterError(code: .request, message: "sending to \(endpoint) failed") }
            sent += wrote
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else {
                let hint = received.isEmpty ? " (if it serves HTTPS, use https://\(endpoint) and trust its CA with --ca-cert FILE)" : ""
                throw MasterError(code: .request, message: "reading from \(endpoint) failed: \(String(cString: strerror(errno)))\(hint)")
            }
            received.append(contentsOf: chunk[0..<count])
        }
        // 0x15, 0x16: a TLS alert or handshake record, not an HTTP status line.
        if received.isEmpty || received.first == 0x15 || received.first == 0x16 {
            throw MasterError(
                code: .request,
                message: "\(endpoint) closed the connection without an HTTP answer (if it serves HTTPS, use https://\(endpoint) "
                    + "and trust its CA with --ca-cert FILE)")
        }
        return try parse(received, from: endpoint)
    }

    /// `host` as an IPv4 address: a dotted quad as is, a name through the resolver
    /// (agents are reached by the hostname they registered with).
    static func ipv4(_ host: String) -> in_addr? {
        var address = in_addr()
        if inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address) == 1 { return address }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &found) == 0, let first = found else { return nil }
        defer { freeaddrinfo(found) }
        guard let socketAddress = first.pointee.ai_addr else { return nil }
        return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
    }

    func parse(_ bytes: [UInt8], from endpoint: String) throws(MasterError) -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = bytes.firstRange(of: separator) else {
            throw MasterError(code: .request, message: "\(endpoint) sent a malformed HTTP response")
        }
        let head = String(decoding: bytes[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw MasterError(code: .request, message: "\(endpoint) sent a malformed status line")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    private func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var position = 0
        while position < bytes.count {
            guard let lineEnd = bytes[position...].firstRange(of: [13, 10]) else { break }
            let sizeText = String(decoding: bytes[position..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            let end = min(start + size, bytes.count)
            out.append(contentsOf: bytes[start..<end])
            position = end + 2
        }
        return out
    }
}
