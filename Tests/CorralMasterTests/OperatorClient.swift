import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP/1.1 client for the operator tests: it sets any Content-Type, does not follow
/// redirects, and reads RecordIO records from a chunked stream one at a time.
final class OperatorClient {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var payload: [UInt8] = []
    private var chunked = false

    /// Connects to `endpoint` (127.0.0.1:port) with a receive timeout.
    init(_ endpoint: String, timeoutSeconds: Int = 10) throws {
        guard let port = endpoint.split(separator: ":").last.flatMap({ UInt16($0) }) else {
            throw HarnessError("\(endpoint) is not host:port")
        }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw HarnessError("cannot connect to \(endpoint)")
        }
    }

    deinit { close(fd) }

    /// Sends one request; a failed send is ignored so the server's early answer can still be read.
    func send(_ method: String, _ path: String, body: [UInt8], headers: [String: String]) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            let wrote = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard wrote > 0 else { return }
            sent += wrote
        }
    }

    /// Closes the sending side, as a client that has nothing more to say may.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads the status line and headers.
    func readHead() throws -> (status: Int, headers: [String: String]) {
        while true {
            if let split = buffer.firstRange(of: [13, 10, 13, 10]) {
                let lines = String(decoding: buffer[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                buffer.removeSubrange(..<split.upperBound)
                let parts = lines.first?.split(separator: " ") ?? []
                guard parts.count >= 2, let status = Int(parts[1]) else { throw HarnessError("bad status line \(lines.first ?? "")") }
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
                return (status, headers)
            }
            guard try receive() else { throw HarnessError("the connection closed before the response head") }
        }
    }

    /// Reads the whole body (until the server closes the connection).
    func readToEnd() throws -> [UInt8] {
        while try receive() {}
        if chunked { while try takeChunk() {} } else { payload += buffer }
        buffer = []
        return payload
    }

    /// The next RecordIO record of a streamed (chunked) body.
    func nextRecord() throws -> [UInt8] {
        while true {
            if let newline = payload.firstIndex(of: 10), let length = Int(String(decoding: payload[..<newline], as: UTF8.self)),
                payload.count - newline - 1 >= length
            {
                let record = Array(payload[(newline + 1)..<(newline + 1 + length)])
                payload.removeSubrange(..<(newline + 1 + length))
                return record
            }
            if try takeChunk() { continue }
            guard try receive() else { throw HarnessError("the stream ended before a whole record") }
        }
    }

    /// The next record that is not a HEARTBEAT, as JSON.
    func nextEvent() throws -> [String: Any] {
        while true {
            let record = try nextRecord()
            let event = ((try? JSONSerialization.jsonObject(with: Data(record))) as? [String: Any]) ?? [:]
            if event["type"] as? String != "HEARTBEAT" { return event }
        }
    }

    /// Skips events until one of `type` arrives (the receive timeout bounds the wait).
    func waitForEvent(_ type: String) throws -> [String: Any] {
        while true {
            let event = try nextEvent()
            if event["type"] as? String == type { return event }
        }
    }

    /// Moves one complete chunk from `buffer` to `payload`; false if none is complete yet.
    private func takeChunk() throws -> Bool {
        guard let lineEnd = buffer.firstRange(of: [13, 10]) else { return false }
        let sizeText = String(decoding: buffer[..<lineEnd.lowerBound], as: UTF8.self)
        guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
            throw HarnessError("bad chunk size \(sizeText)")
        }
        guard buffer.count >= lineEnd.upperBound + size + 2 else { return false }
        payload += buffer[lineEnd.upperBound..<(lineEnd.upperBound + size)]
        buffer.removeSubrange(..<(lineEnd.upperBound + size + 2))
        return size > 0
    }

    /// Reads more bytes; false at the end of the stream.
    private func receive() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return false }
        guard count > 0 else { throw HarnessError("recv failed: \(String(cString: strerror(errno)))") }
        buffer += chunk[0..<count]
        return true
    }

    // MARK: - One-shot requests

    /// One request and its whole answer, redirects not followed.
    static func request(
        _ endpoint: String, _ method: String, _ path: String, body: [UInt8] = [],
        contentType: String? = "application/json", headers extra: [String: String] = [:]
    ) throws -> Reply {
        let client = try OperatorClient(endpoint)
        var headers = extra
        if let contentType { headers["Content-Type"] = contentType }
        client.send(method, path, body: body, headers: headers)
        let (status, responseHeaders) = try client.readHead()
        return Reply(status: status, headers: responseHeaders, body: try client.readToEnd())
    }

    /// `POST /api/v1` with a JSON call.
    static func call(_ endpoint: String, _ call: [String: Any]) throws -> Reply {
        try request(endpoint, "POST", "/api/v1", body: Array(try JSONSerialization.data(withJSONObject: call)))
    }
}

extension QuorumHarness {
    /// Starts `masters` masters and waits until the leader serves the operator API; the
    /// caller stops them (`stopAll`).
    static func servingOperatorAPI(masters: Int) throws -> (QuorumHarness, leader: UInt64) {
        let quorum = try QuorumHarness(masters: masters)
        do {
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            try quorum.waitUntil("master \(leader) serves the operator API", seconds: 20) {
                (try? OperatorClient.call(quorum.endpoint(leader), ["type": "GET_HEALTH"]))?.status == 200
            }
            return (quorum, leader)
        } catch {
            quorum.stopAll()
            throw error
        }
    }
}
