import CCurl
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP answer from a registry or token server.
struct RegistryResponse {
    /// The status code.
    var status: Int
    /// The headers, names lowercased.
    var headers: [String: String]
    /// The body, unless it went to a streaming sink.
    var body: [UInt8]
    /// Why the body broke off after the answer began (a dropped connection), if it did.
    var interruption: String?

    /// The value of header `name` (any case).
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Receives a successful (2xx) answer's body as it arrives.
protocol RegistryBodySink: AnyObject {
    /// The answer began with `status` and `headers` (names lowercased); called before any write.
    func begin(status: Int, headers: [String: String]) throws
    /// The next bytes of the body.
    func write(_ buffer: UnsafeRawBufferPointer) throws
}

/// A blocking HTTP client on libcurl's easy interface that can stream a successful answer's
/// body to a sink as it arrives, so a layer is never held whole in memory. The transfer runs
/// on the calling thread with a 1 MiB buffer (URLSession's libcurl reads 16 KB at a time and
/// hands each piece to another thread, which made a 200 MiB pull three times skopeo's), and
/// one handle is kept per client, so its connections are reused.
///
/// Calls block their thread until the exchange ends; run them off the cooperative pool. One
/// client serves one thread at a time.
final class RegistryHTTP {
    private let handle: UnsafeMutableRawPointer
    /// How long a request may stay idle (no byte either way) before it fails.
    let timeout: TimeInterval
    /// The PEM file of CAs HTTPS trusts instead of the system's, if any.
    let caCertificate: String?

    /// libcurl's global state, set up once before the first handle.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// A client whose requests fail after `timeout` seconds without progress; HTTPS trusts the
    /// CAs in `caCertificate` (a PEM file) when given, else the system's.
    init(timeout: TimeInterval = 60, caCertificate: String? = nil) {
        _ = Self.initialized
        handle = curl_easy_init()
        self.timeout = timeout
        self.caCertificate = caCertificate
    }

    deinit { curl_easy_cleanup(handle) }

    /// What a request sends as its body.
    enum Body {
        case none
        case bytes([UInt8])
        case file(String)
    }

    /// Sends `request`. A 2xx body goes to `sink` when one is given; any other body is kept in
    /// memory up to `limit` bytes. Throws when no answer arrives at all (unreachable, refused).
    func send(
        _ request: URLRequest,
        body: Body = .none,
        limit: Int = 8 << 20,
        sink: (any RegistryBodySink)? = nil
    ) throws -> RegistryResponse {
        let target = request.url?.absoluteString ?? "?"
        let method = request.httpMethod ?? "GET"
        let exchange = try Exchange(target: target, limit: limit, sink: sink, body: body)
        defer { exchange.close() }
        curl_easy_reset(handle)
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in request.allHTTPHeaderFields ?? [:] { headers = curl_slist_append(headers, "\(name): \(value)") }
        // No `Expect: 100-continue` wait before a body.
        headers = curl_slist_append(headers, "Expect:")
        defer { curl_slist_free_all(headers) }
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        let code: CURLcode = target.withCString { url in
            method.withCString { verb in
                if let caCertificate { caCertificate.withCString { _ = corral_curl_set_pointer(handle, CURLOPT_CAINFO, $0) } }
                corral_curl_set_pointer(handle, CURLOPT_URL, url)
                corral_curl_set_pointer(handle, CURLOPT_HTTPHEADER, headers)
                corral_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 1)
                corral_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
                corral_curl_set_long(handle, CURLOPT_BUFFERSIZE, 1 << 20)
                corral_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, max(1, Int(timeout)))
                corral_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
                corral_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(timeout)))
                corral_curl_set_callback(handle, CURLOPT_HEADERFUNCTION, Exchange.onHeader)
                corral_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)
                corral_curl_set_callback(handle, CURLOPT_WRITEFUNCTION, Exchange.onBody)
                corral_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
                switch method {
                case "GET": break
                case "HEAD": corral_curl_set_long(handle, CURLOPT_NOBODY, 1)
                default:
                    // Any other method sends a body (perhaps empty) with its length.
                    corral_curl_set_long(handle, CURLOPT_UPLOAD, 1)
                    corral_curl_set_pointer(handle, CURLOPT_CUSTOMREQUEST, verb)
                    corral_curl_set_offset(handle, CURLOPT_INFILESIZE_LARGE, exchange.uploadSize)
                    corral_curl_set_callback(handle, CURLOPT_READFUNCTION, Exchange.onUpload)
                    corral_curl_set_pointer(handle, CURLOPT_READDATA, context)
                }
                return curl_easy_perform(handle)
            }
        }
        if let failure = exchange.failure { throw failure }
        var status = 0
        var answered: Int = 0
        if corral_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &answered) == CURLE_OK { status = answered }
        let said = code == CURLE_OK ? nil : String(cString: curl_easy_strerror(code))
        guard status > 0 else {
            if code == CURLE_PEER_FAILED_VERIFICATION {
                throw ContainerError(
                    .registry,
                    "cannot verify the TLS certificate of \(target)\(caCertificate.map { " with the CAs in \($0)" } ?? " with the system's CAs"); trust the registry's CA (a PEM file) with --ca-cert FILE, or --registry-ca FILE on an agent",
                    cause: said ?? "certificate refused")
            }
            throw ContainerError(.registry, "cannot reach \(target)", cause: said ?? "no answer")
        }
        return RegistryResponse(status: status, headers: exchange.headers, body: exchange.collected, interruption: said)
    }

    // MARK: - One exchange

    /// The state of one request, touched only by libcurl's callbacks on the calling thread.
    private final class Exchange {
        let target: String
        let limit: Int
        let sink: (any RegistryBodySink)?
        var status = 0
        var headers: [String: String] = [:]
        var collected: [UInt8] = []
        var failure: ContainerError?
        private var streaming = false
        private var begun = false
        // The body being sent.
        private let bytes: [UInt8]
        private var sent = 0
        private let file: Int32
        let uploadSize: curl_off_t

        init(target: String, limit: Int, sink: (any RegistryBodySink)?, body: RegistryHTTP.Body) throws {
            self.target = target
            self.limit = limit
            self.sink = sink
            switch body {
            case .none:
                (bytes, file, uploadSize) = ([], -1, 0)
            case .bytes(let given):
                (bytes, file, uploadSize) = (given, -1, curl_off_t(given.count))
            case .file(let path):
                let descriptor = open(path, O_RDONLY | O_CLOEXEC)
                var info = stat()
                guard descriptor >= 0, fstat(descriptor, &info) == 0 else {
                    if descriptor >= 0 { Glibc.close(descriptor) }
                    throw ContainerError.errno("open the body to send", path)
                }
                (bytes, file, uploadSize) = ([], descriptor, curl_off_t(info.st_size))
            }
        }

        func close() { if file >= 0 { Glibc.close(file) } }

        static func from(_ context: UnsafeMutableRawPointer?) -> Exchange {
            Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
        }

        /// One header line; a status line starts a new answer (after a redirect or a `100`).
        static let onHeader: corral_curl_callback = { buffer, size, count, context in
            let exchange = from(context)
            let length = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("HTTP/") {
                exchange.headers = [:]
                exchange.status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if exchange.headers[name] == nil { exchange.headers[name] = value }
            } else if line.isEmpty, !exchange.begun, (200..<300).contains(exchange.status), let sink = exchange.sink {
                // The end of a final answer's headers.
                exchange.begun = true
                exchange.streaming = true
                do { try sink.begin(status: exchange.status, headers: exchange.headers) } catch {
                    exchange.failure = ContainerError.wrap(error, "starting a download")
                    return 0
                }
            }
            return length
        }

        /// Bytes of the body: to the sink, or kept up to the limit.
        static let onBody: corral_curl_callback = { buffer, size, count, context in
            let exchange = from(context)
            let length = size * count
            let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
            do {
                if exchange.streaming, let sink = exchange.sink {
                    try sink.write(bytes)
                } else if exchange.collected.count + length > exchange.limit {
                    throw ContainerError(.registry, "the answer from \(exchange.target) is over \(exchange.limit) bytes")
                } else {
                    exchange.collected.append(contentsOf: bytes)
                }
            } catch {
                exchange.failure = ContainerError.wrap(error, "writing a download")
                return 0
            }
            return length
        }

        /// The next bytes of the body to send.
        static let onUpload: corral_curl_callback = { buffer, size, count, context in
            let exchange = from(context)
            let room = size * count
            if exchange.file >= 0 {
                let got = read(exchange.file, buffer, room)
                return got < 0 ? Int(CURL_READFUNC_ABORT) : got
            }
            let chunk = min(room, exchange.bytes.count - exchange.sent)
            exchange.bytes.withUnsafeBytes { all in
                if chunk > 0 { UnsafeMutableRawPointer(buffer!).copyMemory(from: all.baseAddress! + exchange.sent, byteCount: chunk) }
            }
            exchange.sent += chunk
            return chunk
        }
    }
}
